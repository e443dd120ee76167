"""A throwaway certificate authority and a certificate for Kustomer's real-shaped host names."""
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

HOSTNAMES = (
    "kustomerapp.com",
    "*.kustomerapp.com",
    "*.api.kustomerapp.com",
    "*.prod2.kustomerapp.com",
    "api.prod2.kustomerapp.com",
    "localhost",
    "127.0.0.1",
)


@dataclass
class Certificates:
    ca_file: Path  # PEM of the throwaway CA: give it to SSL_CERT_FILE to make Python trust the servers
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


def make_certificates(folder: Path) -> Certificates:
    ca = trustme.CA()
    cert = ca.issue_cert(*HOSTNAMES)
    folder.mkdir(parents=True, exist_ok=True)
    certs = Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    ca.cert_pem.write_to_path(str(certs.ca_file))
    cert.cert_chain_pems[0].write_to_path(str(certs.cert_file))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(certs.cert_file), append=True)
    cert.private_key_pem.write_to_path(str(certs.key_file))
    return certs
