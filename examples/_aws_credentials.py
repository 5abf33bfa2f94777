"""botocore's default credentials for the duplex examples (the ``sigv4`` extra)."""

from __future__ import annotations

from eventstream.signing import Credentials, CredentialsSource


def botocore_credentials() -> CredentialsSource:
    """The default chain's credentials (environment, profile, SSO, instance role...),
    read again for every event, so that keys botocore refreshes are used."""
    import botocore.session

    found = botocore.session.get_session().get_credentials()
    if found is None:
        raise SystemExit("no AWS credentials found (botocore's default chain)")

    def current() -> Credentials:
        frozen = found.get_frozen_credentials()
        return Credentials(frozen.access_key, frozen.secret_key, frozen.token)

    return current
