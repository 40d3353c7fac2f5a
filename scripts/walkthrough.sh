#!/usr/bin/env bash
# The README walkthrough, runnable: curl for the API, openssl for Ed25519, jq for JSON.
# Bootstraps an org, makes Alice's first key, has Bob request a key that Alice approves with
# Bob's verification code and her signature, and has Alice reject Carol's request.
# Usage: API=http://localhost:3000 DATA_DIR=./data scripts/walkthrough.sh   (server started with npm start)
set -euo pipefail
API=${API:-http://localhost:3000}
DATA_DIR=${DATA_DIR:-./data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# POST/PUT with a JSON body and a bearer token; fails loudly on an HTTP error.
api() { curl -sS --fail-with-body -X "$1" "$API$2" -H "authorization: Bearer $3" -H 'content-type: application/json' ${4:+-d "$4"}; }
# An Ed25519 key pair in a PEM file; its raw public key as base64url without padding.
new_key() { openssl genpkey -algorithm ed25519 -out "$work/$1.pem"; }
public_key() { openssl pkey -in "$work/$1.pem" -pubout -outform DER | tail -c 32 | basenc --base64url | tr -d '=\n'; }
# Signs a challenge statement (its exact UTF-8 bytes) with a key: base64url signature.
sign() { printf '%s' "$2" > "$work/statement"; openssl pkeyutl -sign -rawin -inkey "$work/$1.pem" -in "$work/statement" | basenc --base64url | tr -d '=\n'; }
# Asks for a challenge, signs it, and prints `"challengeId":"…","signature":"…"` for a request body.
signed() {
  local challenge; challenge=$(api POST "/v1/orgs/$ORG/challenges" "$2" "$3")
  printf '"challengeId":"%s","signature":"%s"' "$(jq -r .challengeId <<<"$challenge")" "$(sign "$1" "$(jq -r .statement <<<"$challenge")")"
}
token() { npm run -s token -- --org "$ORG" --agent "$1"; }

echo "1. The operator creates the org with Alice as its SUPER_ADMIN"
BOOTSTRAP=${BOOTSTRAP_TOKEN:-$(cat "$DATA_DIR/bootstrap-token")}
ORG=$(api POST /v1/orgs "$BOOTSTRAP" '{"name":"Acme Support","superAdmin":{"agentId":"alice","email":"alice@example.com","displayName":"Alice"}}' | jq -r .orgId)
ALICE=$(token alice)
api POST "/v1/orgs/$ORG/agents" "$ALICE" '{"agentId":"bob","email":"bob@example.com","displayName":"Bob","role":"MEMBER"}' >/dev/null
api POST "/v1/orgs/$ORG/agents" "$ALICE" '{"agentId":"carol","email":"carol@example.com","displayName":"Carol","role":"MEMBER"}' >/dev/null
BOB=$(token bob); CAROL=$(token carol)

echo "2. Alice requests the org's first key: approved at once (FIRST_KEY)"
new_key alice
KEY=$(public_key alice)
api POST "/v1/orgs/$ORG/key-requests" "$ALICE" "{\"publicKey\":\"$KEY\",$(signed alice "$ALICE" "{\"purpose\":\"KEY_REQUEST\",\"publicKey\":\"$KEY\"}")}" | jq -c '{status, verificationCode}'

echo "3. Bob requests a key: PENDING, with a verification code he reads out to Alice"
new_key bob
KEY=$(public_key bob)
BOB_REQUEST=$(api POST "/v1/orgs/$ORG/key-requests" "$BOB" "{\"publicKey\":\"$KEY\",$(signed bob "$BOB" "{\"purpose\":\"KEY_REQUEST\",\"publicKey\":\"$KEY\"}")}")
jq -c '{status, verificationCode}' <<<"$BOB_REQUEST"
REQUEST=$(jq -r .requestId <<<"$BOB_REQUEST"); CODE=$(jq -r .verificationCode <<<"$BOB_REQUEST")

echo "4. Alice sees it pending and approves it with Bob's code, signing her decision with her key"
api GET "/v1/orgs/$ORG/key-requests/$REQUEST" "$ALICE" | jq -c '{status, verificationCode, fingerprint}'
api POST "/v1/orgs/$ORG/key-requests/$REQUEST/approve" "$ALICE" \
  "{\"verificationCode\":\"$CODE\",$(signed alice "$ALICE" "{\"purpose\":\"KEY_DECISION\",\"requestId\":\"$REQUEST\",\"decision\":\"APPROVE\"}")}" | jq -c '{status, mode}'

echo "5. Carol requests a key and Alice rejects it; Carol may request again from scratch"
new_key carol
KEY=$(public_key carol)
REQUEST=$(api POST "/v1/orgs/$ORG/key-requests" "$CAROL" "{\"publicKey\":\"$KEY\",$(signed carol "$CAROL" "{\"purpose\":\"KEY_REQUEST\",\"publicKey\":\"$KEY\"}")}" | jq -r .requestId)
api POST "/v1/orgs/$ORG/key-requests/$REQUEST/reject" "$ALICE" \
  "{\"reason\":\"not on the on-call rota\",$(signed alice "$ALICE" "{\"purpose\":\"KEY_DECISION\",\"requestId\":\"$REQUEST\",\"decision\":\"REJECT\"}")}" | jq -c '{status}'

echo "6. Bob performs a sensitive task from his browser, signing the challenge with his key"
api POST "/v1/orgs/$ORG/sensitive-tasks" "$BOB" \
  "{\"browserId\":\"laptop\",\"task\":\"remote-control:device-42\",$(signed bob "$BOB" '{"purpose":"SENSITIVE_TASK","browserId":"laptop","task":"remote-control:device-42"}')}" | jq -c '{authorized, method}'
echo "done: org $ORG"
