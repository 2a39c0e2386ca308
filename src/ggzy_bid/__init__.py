"""ggzy_bid: the bidding client library and the ``ggzy-bid`` command line (docs/client.md).

Pure Python, no Django: market-run trading systems embed the same library. The private key never
leaves the bidder's machine; the platform receives the sealed envelope, the bidder's signature of
its SM3 digest, and at the opening only the 16-byte content key of the bidder's own envelope.
"""

from ggzy_bid.client import ApiError, BidClient, HttpTransport, Transport

__all__ = ["ApiError", "BidClient", "HttpTransport", "Transport"]
