import pytest


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login
