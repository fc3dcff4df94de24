"""Resolves agent cards through the registry with the A2A Python SDK, as an A2A client would.

Usage: python a2a_resolve.py <registry base URL> <public agent name> <org-only agent name>

- `A2ACardResolver` with base URL `<registry>/agents/name/<public name>` fetches the card from
  the standard well-known path, without credentials, and verifies the registry's signature
  with `create_signature_verifier` and the key from `<registry>/.well-known/jwks.json`;
- the same card with its description altered no longer verifies;
- the org-only agent's card is not served without credentials (404).

Prints what it saw; exits non-zero on the first surprise.
"""

import asyncio
import copy
import logging
import sys
from importlib.metadata import version

import httpx
from google.protobuf.json_format import MessageToDict
from jwt.api_jwk import PyJWK
from jwt.exceptions import PyJWKError

from a2a.client.card_resolver import A2ACardResolver, parse_agent_card
from a2a.client.errors import AgentCardResolutionError
from a2a.utils.signing import InvalidSignaturesError, create_signature_verifier

logging.disable(logging.WARNING)


async def main(registry, public_name, private_name):
    async with httpx.AsyncClient() as http:
        jwks = (await http.get(f"{registry}/.well-known/jwks.json")).json()
        keys = {key["kid"]: key for key in jwks["keys"]}

        def key_provider(kid, jku):
            if kid not in keys:
                raise PyJWKError(f"kid {kid!r} is not in the registry's JWK Set")
            return PyJWK(keys[kid])

        verify = create_signature_verifier(key_provider, ["EdDSA"])
        resolver = A2ACardResolver(http, base_url=f"{registry}/agents/name/{public_name}")
        card = await resolver.get_agent_card(signature_verifier=verify)
        print(f"resolved {card.name!r} from {resolver.base_url}/{resolver.agent_card_path}: "
              f"{len(card.skills)} skill(s), {len(card.signatures)} signature(s), verified with "
              f"kid {sorted(keys)}")

        altered = MessageToDict(card)
        altered["description"] = altered["description"] + " (altered)"
        try:
            verify(parse_agent_card(copy.deepcopy(altered)))
        except InvalidSignaturesError:
            print("altered copy rejected")
        else:
            raise SystemExit("FAILED: the altered card still verifies")

        hidden = A2ACardResolver(http, base_url=f"{registry}/agents/name/{private_name}")
        try:
            await hidden.get_agent_card()
        except AgentCardResolutionError as e:
            if getattr(e, "status_code", None) != 404:
                raise SystemExit(f"FAILED: the org-only card answered {e}")
            print("org-only card: 404 without credentials")
        else:
            raise SystemExit("FAILED: the org-only card was served without credentials")
    print(f"a2a-sdk {version('a2a-sdk')}: OK")


asyncio.run(main(*sys.argv[1:4]))
