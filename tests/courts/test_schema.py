"""The message format is documented in the OpenAPI schema, with an example of each type, and the
examples themselves are valid messages."""

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from courts.examples import EXAMPLES, MORE_EXAMPLES
from courts.schemas import MessageType, validate_message


def test_the_schema_documents_the_endpoint_with_an_example_of_each_type(client, probation_officer):
    client.force_login(probation_officer)

    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    validate_schema(schema)
    operation = schema["paths"]["/api/v1/court-messages/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    documented = {example["value"]["message_type"] for example in body["examples"].values()}
    assert documented == set(MessageType.values)
    assert {"202", "400", "401", "413"} <= set(operation["responses"])
    assert operation["security"] == [{"courtCredential": []}]
    mapping = schema["components"]["schemas"]["CourtMessageRequest"]["discriminator"]["mapping"]
    assert set(mapping) == set(MessageType.values)


@pytest.mark.parametrize("message_type", MessageType.values)
def test_each_documented_example_is_a_valid_message(message_type):
    validation = validate_message(EXAMPLES[message_type])

    assert validation.valid, validation.reason


@pytest.mark.parametrize("name", MORE_EXAMPLES)
def test_each_further_example_is_a_valid_message_and_documented(name, client, probation_officer):
    client.force_login(probation_officer)

    validation = validate_message(MORE_EXAMPLES[name])

    assert validation.valid, validation.reason
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    body = schema["paths"]["/api/v1/court-messages/"]["post"]["requestBody"]["content"]["application/json"]
    assert MORE_EXAMPLES[name] in [example["value"] for example in body["examples"].values()]


def test_the_schema_documents_the_sentence_calculation_inputs(client, probation_officer):
    client.force_login(probation_officer)

    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    sentence = schema["components"]["schemas"]["CourtImposedSentenceRequest"]["properties"]
    for name in ("remand_days", "minimum_period_months", "cumulative_on"):
        assert "Imprisonment only" in sentence[name].get("description", ""), name
