from celery import shared_task

from sentences.services import sentences_commence_due


@shared_task
def commence_due_sentences() -> int:
    return sentences_commence_due()
