"""Verifies webhook requests with the Standard Webhooks reference library (`standardwebhooks`).

Reads a JSON file: a list of {"secrets": ["whsec_..."], "headers": {...}, "body": "..."}.
Every request must verify under every secret listed (during a rotation's overlap, under both).
Prints {"verified": <requests>, "checks": <request x secret pairs>}; exits 1 on any failure.
"""

import json
import sys

from standardwebhooks.webhooks import Webhook


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        requests = json.load(f)
    checks = 0
    for i, request in enumerate(requests):
        for secret in request["secrets"]:
            try:
                Webhook(secret).verify(request["body"], request["headers"])
            except Exception as error:  # report which request and why, then fail
                print(f"request {i} does not verify: {error!r}", file=sys.stderr)
                return 1
            checks += 1
    print(json.dumps({"verified": len(requests), "checks": checks}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
