"""Has the A2A Python SDK verify cards the registry signed.

Usage: python a2a_verify.py <dir>

<dir> holds `jwks.json` (the registry's JWK Set) and `cards/*.json` (signed cards). Each card
goes the way an A2A client takes it: `parse_agent_card` (what `A2ACardResolver` does with the
fetched JSON), then `create_signature_verifier` with a key provider that looks the protected
header's `kid` up in the JWK Set. Every card must verify, and must stop verifying once its
description is altered. Prints one line per card, exits non-zero on the first surprise.
"""

import copy
import json
import logging
import pathlib
import sys
from importlib.metadata import version

from jwt.api_jwk import PyJWK
from jwt.exceptions import PyJWKError

from a2a.client.card_resolver import parse_agent_card
from a2a.utils.signing import InvalidSignaturesError, create_signature_verifier

logging.disable(logging.WARNING)

root = pathlib.Path(sys.argv[1])
jwks = json.loads((root / "jwks.json").read_text(encoding="utf-8"))
keys = {key["kid"]: key for key in jwks["keys"]}
asked = []


def key_provider(kid, jku):
    # A card may carry its agent's own signatures beside the registry's: a kid that is not the
    # registry's is answered with a PyJWTError, which the verifier takes as "try the next one".
    if kid not in keys:
        raise PyJWKError(f"kid {kid!r} is not in the registry's JWK Set")
    asked.append(kid)
    return PyJWK(keys[kid])


verify = create_signature_verifier(key_provider, ["EdDSA"])
cards = sorted((root / "cards").glob("*.json"))
if not cards:
    raise SystemExit(f"FAILED: no cards in {root / 'cards'}")

for path in cards:
    data = json.loads(path.read_text(encoding="utf-8"))
    verify(parse_agent_card(copy.deepcopy(data)))
    altered = copy.deepcopy(data)
    altered["description"] = altered["description"] + " (altered)"
    try:
        verify(parse_agent_card(altered))
    except InvalidSignaturesError:
        pass
    else:
        raise SystemExit(f"FAILED: {path.name} still verifies after its description changed")
    print(f"{path.stem}: verified; altered copy rejected")

print(f"a2a-sdk {version('a2a-sdk')}: {len(cards)} signed cards verified, {len(cards)} altered cards rejected (kids asked: {sorted(set(asked))})")
