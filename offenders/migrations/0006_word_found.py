from django.db import migrations

# How well a typed word is found among the words of a name, from 0 to 1: the best over the words of
# trigram similarity, edit similarity (one minus the Levenshtein distance over the longer length;
# nothing past three edits) and 0.9 for a typed start of the word (an initial, "Tamih"). Used by
# offenders.selectors.offender_search for each typed word and for the parts typed as family and
# given names.
WORD_FOUND_SQL = """
CREATE FUNCTION offenders_word_found(typed text, words text[]) RETURNS float
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(max(greatest(
        similarity(typed, word),
        CASE WHEN levenshtein_less_equal(typed, word, 3) <= 3
             THEN 1 - levenshtein_less_equal(typed, word, 3)::float / greatest(length(typed), length(word))
             ELSE 0 END,
        CASE WHEN starts_with(word, typed) THEN 0.9 ELSE 0 END
    )), 0)
    FROM unnest(words) AS word
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("offenders", "0005_prn_start_and_end")]

    operations = [
        migrations.RunSQL(WORD_FOUND_SQL, "DROP FUNCTION offenders_word_found(text, text[]);"),
    ]
