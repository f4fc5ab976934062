from django.apps import AppConfig


class SentencesConfig(AppConfig):
    name = "sentences"

    def ready(self):
        # offenders.access (a layer below) counts the managing office of each current sentence among
        # the offices responsible for a record; sentences provides that fact (offenders.access_facts).
        from offenders.access_facts import provide_managing_office_ids
        from sentences.access import current_managing_office_ids

        provide_managing_office_ids(current_managing_office_ids)
