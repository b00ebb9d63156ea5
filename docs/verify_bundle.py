#!/usr/bin/env python3
"""Check a Caregiver Playbook activity-log bundle with nothing but Python 3 and openssl.

    python3 docs/verify_bundle.py BUNDLE [--all-signatures]

Reads the bundle line by line: recomputes every entry's SHA-256 and checks the chain
(sequence numbers and `prev`), checks that every checkpoint names the size and head it
follows, and has openssl check the Ed25519 signature of the last checkpoint (of every
checkpoint with --all-signatures). Exits 0 and prints "ok: ..." when all holds; exits 1
naming the line and entry otherwise. See docs/log-bundle.md.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

GENESIS = "0" * 64


def fail(line, message):
    print(f"FAILED at line {line}: {message}")
    sys.exit(1)


def openssl_verify(pem_path, message, signature, workdir):
    msg_path = os.path.join(workdir, "message")
    sig_path = os.path.join(workdir, "signature")
    with open(msg_path, "wb") as f:
        f.write(message)
    with open(sig_path, "wb") as f:
        f.write(signature)
    result = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pem_path,
         "-rawin", "-in", msg_path, "-sigfile", sig_path],
        capture_output=True, text=True)
    return result.returncode == 0


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    path, check_all = sys.argv[1], "--all-signatures" in sys.argv[2:]
    workdir = tempfile.mkdtemp()
    with open(path, "rb") as bundle:
        header = json.loads(bundle.readline())
        if header.get("format") != "caregiver-log-bundle/1":
            fail(1, "not a Caregiver Playbook log bundle")
        raw_key = base64.b64decode(header["public_key"])
        if hashlib.sha256(raw_key).hexdigest()[:32] != header["log"]:
            fail(1, "the log id does not belong to this public key")
        pem_path = os.path.join(workdir, "workstation.pem")
        with open(pem_path, "w") as f:
            f.write(header["public_key_pem"])

        seq, head, last_checkpoint, signed = 0, GENESIS, None, 0
        for number, raw in enumerate(bundle, start=2):
            raw = raw.rstrip(b"\n")
            if not raw:
                continue
            item = json.loads(raw)
            if item["t"] == "entry":
                if item["seq"] != seq + 1:
                    fail(number, f"entry {item['seq']} follows entry {seq}")
                if item["prev"] != head:
                    fail(number, f"entry {item['seq']} does not follow on from entry {seq}")
                seq, head = item["seq"], hashlib.sha256(raw).hexdigest()
            elif item["t"] == "checkpoint":
                if item["size"] != seq or item["head"] != head:
                    fail(number, f"the checkpoint for {item['size']} entries does not match entry {seq}")
                message = f"caregiver-log-checkpoint/v1\n{item['log']}\n{item['size']}\n{item['head']}\n".encode()
                signature = base64.b64decode(item["sig"])
                if check_all and not openssl_verify(pem_path, message, signature, workdir):
                    fail(number, f"the signature of the checkpoint at entry {item['size']} fails")
                last_checkpoint, signed = (number, message, signature), item["size"]
            else:
                fail(number, "neither an entry nor a checkpoint")
    if signed != seq:
        fail(number, f"entries {signed + 1} to {seq} are not covered by a signed checkpoint")
    if last_checkpoint is not None:
        number, message, signature = last_checkpoint
        if not openssl_verify(pem_path, message, signature, workdir):
            fail(number, f"the signature of the checkpoint at entry {signed} fails")
    print(f"ok: {seq} entries, chain intact, head {head}, signed by log {header['log']}")


if __name__ == "__main__":
    main()
