"""Amazon's own ids that share the customer id's shape and are nobody's account: its
marketplace ids and its device type codes. The identity checks pass over them wherever they
are written; likewise Amazon's own service mailboxes, which are no other person's e-mail."""

from __future__ import annotations

import re

# Amazon's marketplace ids, published for its sellers' APIs: shaped like a customer id, and
# written into profiles, tags and document properties ("marketplaceId": A1F83G8C2ARO7P, UK)
MARKETPLACE_IDS = frozenset(
    {
        "ATVPDKIKX0DER",  # US
        "A2EUQ1WTGCTBG2",  # CA
        "A1AM78C64UM0Y8",  # MX
        "A2Q3Y263D00KWC",  # BR
        "A1F83G8C2ARO7P",  # UK
        "A1PA6795UKMFR9",  # DE
        "A13V1IB3VIYZZH",  # FR
        "APJ6JRA9NG5V4",  # IT
        "A1RKKUPIHCS9HS",  # ES
        "A1805IZSGTT6HS",  # NL
        "A2NODRKZP88ZB9",  # SE
        "A1C3SOZRARQ6R3",  # PL
        "AMEN7PMS3EDWL",  # BE
        "A33AVAJ2PDY3EV",  # TR
        "A2VIGQ35RCS4UG",  # AE
        "A17E79C6D8DWNP",  # SA
        "ARBP9OOSHTCHU",  # EG
        "A21TJRUUN4KGV",  # IN
        "A19VAU5U5O7RUS",  # SG
        "A39IBJ37TRP1C6",  # AU
        "A1VC38T7YXB528",  # JP
    }
)


# Amazon's own seller ids, one per shop: an order "sold by Amazon" names it as its seller
# ("seller_id": A3P5ROKL5A1OLE, a product link's "?m=A3P5ROKL5A1OLE"). As public listings of
# them agree (sellers' and price trackers' tools); Italy's is given by one as its marketplace id.
AMAZON_SELLER_IDS = frozenset(
    {
        "ATVPDKIKX0DER",  # amazon.com (also its marketplace id)
        "A3P5ROKL5A1OLE",  # amazon.co.uk
        "A3JWKAKR8XB7XF",  # amazon.de
        "A1X6FK5RDHNB96",  # amazon.fr
        "A11IL2PNWYJU7H",  # amazon.it
        "A1AT7YVPFBWXBL",  # amazon.es
        "A3DWYIK6Y9EEQB",  # amazon.ca
        "AN1VRQENFRJN5",  # amazon.co.jp
        "AVDBXBAVVSXLQ",  # amazon.com.mx
        "A1ZZFT5FULY4LN",  # amazon.com.br
    }
)


# Amazon's device type codes of its own devices (Echo, Echo Dot, Echo Show, Echo Spot,
# Echo Studio, Fire TV, speaker groups), as exports and the Alexa app write them in a
# device's "deviceType". They share the customer id's shape; none is anybody's account.
ECHO_DEVICE_TYPES = frozenset(
    {
        "AB72C64C86AW2",  # Echo (1st gen)
        "A7WXQPH584YP",  # Echo (2nd gen)
        "A3FX4UWTP28V1P",  # Echo (3rd gen)
        "AKNO1N0KSFN8L",  # Echo Dot (1st gen)
        "A3S5BH2HU6VAYF",  # Echo Dot (2nd gen)
        "A1RABVCI4QCIKC",  # Echo Dot (3rd gen)
        "A32DOYMUN6DTXA",  # Echo Dot (3rd gen)
        "A32DDESGESSHZA",  # Echo Dot (3rd gen)
        "A3RMGO6LYLH7YN",  # Echo Dot (4th gen)
        "A2U21SRK4QGSE1",  # Echo Dot with clock (4th gen)
        "A2H4LV5GIZ1JFT",  # Echo Dot with clock (4th gen)
        "A4ZXE0RM7LQ7A",  # Echo Dot (5th gen)
        "A2DS1Q2TPDJ48U",  # Echo Dot with clock (5th gen)
        "A1NL4BVLQ4L3N3",  # Echo Show (1st gen)
        "AWZZ5CVHX2CD",  # Echo Show (2nd gen)
        "A4ZP7ZC4PI6TO",  # Echo Show 5
        "A10A33FOX2NUBK",  # Echo Spot
        "A3RBAYBE7VM004",  # Echo Studio
        "A3VRME03NAXFUB",  # Echo Flex
        "A3SSG6GR8UU7SN",  # Echo Sub
        "ADVBD696BHNV5",  # Fire TV Stick (1st gen)
        "A1Q6UGEXJZWJQ0",  # Fire TV Stick 4K
        "A3HF4YRA2L7XGC",  # Fire TV Cube
        "A3C9PE6TNYLTCH",  # a speaker group
    }
)


# Amazon's own service mailboxes, as its order mails, invoices and account pages write them
# ("auto-confirm@amazon.co.uk", "cs-reply@amazon.de"): nobody's account. Only these local
# parts, and only at Amazon's own domains: a person's address there is still someone else's.
AMAZON_SERVICE_LOCALS = frozenset(
    {
        "auto-confirm",
        "ship-confirm",
        "shipment-tracking",
        "order-update",
        "cs-reply",
        "digital-no-reply",
        "no-reply",
        "noreply",
        "account-update",
        "payments-messages",
        "return",
        "returns",
        "store-news",
        "alexa-noreply",
        "privacy",
        "dpo",
        "data-protection",
        "dataprotection",
        "datenschutz",
        "gdpr",
        "do-not-reply",
        "donotreply",
        "marketplace-messages",
        "seller-notification",
        "delivery-notification",
        "alexa-notifications",
        "primevideo-noreply",
    }
)
_AMAZON_SUFFIXES = (
    r"\.(?:com|ca|de|fr|it|es|nl|se|pl|eu|lu|in|sg|ae|sa|eg|cn"
    r"|co\.uk|co\.jp|com\.au|com\.be|com\.br|com\.mx|com\.tr)"
)
# Amazon's own mail domains: its shops' and its services' (Prime Video, Audible)
AMAZON_MAIL_DOMAIN = re.compile(
    rf"\A(?:[a-z0-9-]+\.)*(?:amazon{_AMAZON_SUFFIXES}|audible{_AMAZON_SUFFIXES}|primevideo\.com)\Z"
)
# The marketplace's relay between buyers and sellers ("9kqz2x1vbd7n3fp@marketplace.amazon.co.uk"):
# an address Amazon makes for one conversation, whose owner only Amazon knows
AMAZON_RELAY_DOMAIN = re.compile(rf"\Amarketplace\.amazon{_AMAZON_SUFFIXES}\Z")
