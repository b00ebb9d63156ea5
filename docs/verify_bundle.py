#!/usr/bin/env python3
"""Check a Caregiver Playbook activity-log bundle with nothing but Python 3 and openssl.

    python3 docs/verify_bundle.py BUNDLE [--pubkey KEY] [--all-signatures]

Reads the bundle line by line: recomputes every entry's SHA-256 and checks the chain
(sequence numbers, `prev` and log id), checks that every checkpoint names the size and head
it follows and that the last entry is covered by one, has openssl check each signer line's
certificate by the workstation's key, checks that every entry a person's checkpoint covers
is in that person's name (or "emergency access", or declared by an "entries_unsigned" entry
of the checkpoint's signer: entries left unsigned when their session ended without a
checkpoint), and has openssl check the Ed25519
signature of the last checkpoint each key signed (of every checkpoint with
--all-signatures): each key's last signature vouches, through the chain, for everything
before it, so every entry is vouched for by the person it names.

KEY is the key the bundle must be signed by: a trusted copy of the workstation's public key,
as base64 or PEM, or a file holding either (`caregiver log key --out key.pem` writes one).
Without --pubkey the signer's fingerprint is printed but not checked: anyone can re-sign a
bundle with a key of their own.

Exits 0 and prints "ok: ..." when all holds; exits 1 with "FAILED at line N: ..." otherwise
(2 for a mistyped command). Writes nothing but a key and a signature for openssl, in a
temporary folder it removes. See docs/log-bundle.md.
"""
import argparse
import base64
import binascii
import hashlib
import json
import os
import subprocess
import sys
import tempfile

GENESIS = "0" * 64
FORMAT = "caregiver-log-bundle/1"
EMERGENCY_ACTOR = "emergency access"
UNSIGNED_KIND = "entries_unsigned"
# DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): what openssl reads as PEM.
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
PEM_BEGIN, PEM_END = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"


class Failed(Exception):
    def __init__(self, line, message):
        super().__init__(f"FAILED at line {line}: {message}")


def key_from_base64(text, der_too=True):
    """The raw 32-byte key base64 `text` holds (or, with `der_too`, the DER a PEM holds), or
    None."""
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    raw = der[len(SPKI_PREFIX):] if der_too and der.startswith(SPKI_PREFIX) else der
    return raw if len(raw) == 32 else None


def parse_key(text):
    """A PEM PUBLIC KEY block anywhere in `text`, or base64 of the key: the raw key, or
    None."""
    begin, end = text.find(PEM_BEGIN), text.find(PEM_END)
    if begin >= 0 and end > begin:
        return key_from_base64(text[begin + len(PEM_BEGIN):end])
    if begin >= 0 or end >= 0:
        return None
    return key_from_base64(text)


def read_key(text_or_path, parser):
    """--pubkey KEY: a file holding a key, or the key itself."""
    if os.path.isfile(text_or_path):
        try:
            with open(text_or_path, "rb") as f:
                text = f.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            parser.error(f"--pubkey: cannot read {text_or_path} as text: {e}")
    else:
        text = text_or_path
    raw = parse_key(text)
    if raw is None:
        parser.error(f"--pubkey: `{text_or_path}` is neither a file holding a key nor a "
                     "base64 Ed25519 public key")
    return raw


def pem(raw):
    return f"{PEM_BEGIN}\n{base64.b64encode(SPKI_PREFIX + raw).decode()}\n{PEM_END}\n"


def fingerprint(raw):
    """The first 16 bytes of SHA-256 of the raw key, hex, in groups of four."""
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def openssl_verify(workdir, key, message, signature):
    """Has openssl check an Ed25519 signature. openssl reads the key, the message and the
    signature from files (its one-shot Ed25519 check needs the message's size): they go in
    `workdir`, which the caller removes."""
    paths = {}
    for name, data in (("key.pem", pem(key).encode()), ("message", message),
                       ("signature", signature)):
        paths[name] = os.path.join(workdir, name)
        with open(paths[name], "wb") as f:
            f.write(data)
    result = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["key.pem"], "-rawin",
         "-in", paths["message"], "-sigfile", paths["signature"]],
        capture_output=True)
    return result.returncode == 0


def lines_of(bundle):
    """(number, raw bytes without the newline, text) for each line; a line that is not
    UTF-8 or JSON is named, and a last line with no newline as a file cut short."""
    number = 0
    for number, raw in enumerate(bundle, start=1):
        complete = raw.endswith(b"\n")
        raw = raw[:-1] if complete else raw
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Failed(number, "not UTF-8 text: this is not a bundle, or it is damaged")
        if not text:
            continue
        try:
            item = json.loads(text)
        except ValueError:
            if not complete:
                raise Failed(number, "the file ends in the middle of this line: it was cut short")
            raise Failed(number, "not a line of JSON: the bundle is damaged")
        if not isinstance(item, dict):
            raise Failed(number, "not a JSON object: the bundle is damaged")
        yield number, raw, item
    if number == 0:
        raise Failed(1, "the bundle is empty")


def field(item, name, kind, number):
    value = item.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise Failed(number, f"`{name}` is missing or of the wrong type")
    return value


def check(bundle, trusted, check_all, workdir):
    lines = lines_of(bundle)
    first = next(lines, None)
    if first is None or first[0] != 1:
        raise Failed(1, "the first line is empty: not a Caregiver Playbook log bundle")
    _, _, header = first
    if header.get("t") != "header" or header.get("format") != FORMAT:
        raise Failed(1, "not a Caregiver Playbook log bundle header")
    log = field(header, "log", str, 1)
    signer = key_from_base64(field(header, "public_key", str, 1), der_too=False)
    if signer is None:
        raise Failed(1, "the public key is not a base64 Ed25519 public key")
    if hashlib.sha256(signer).hexdigest()[:32] != log:
        raise Failed(1, "the log id does not belong to this public key")
    # Signatures are checked with the raw key; the PEM copy must be the same key.
    if parse_key(field(header, "public_key_pem", str, 1)) != signer:
        raise Failed(1, "`public_key_pem` is not the same key as `public_key`")
    if trusted is not None and trusted != signer:
        raise Failed(1, f"the bundle is signed by the key with fingerprint {fingerprint(signer)}, "
                        f"not by the trusted key {fingerprint(trusted)}: it was re-signed, "
                        "or it comes from another workstation")

    seq, head, signed, number, declared = 0, GENESIS, 0, 1, 0
    # Accepted declarations (the first 20): (entry, by, from, to).
    declarations = []
    # Each person's certified key by fingerprint: (name, raw key).
    signers = {}
    # The last checkpoint each key signed, by key: (line, size, message, signature, key).
    last_signed = {}
    # Since the last checkpoint: the first entry in a person's name, and the first after it
    # in another name, as (line, seq, actor).
    named = []
    # An incident's bundle: entries elided, records attached, and the SHA-256 each entry
    # vouches for (its payload's `record`) by entry, until its record line comes.
    elided, records, vouched = 0, 0, {}
    # A segment of the fleet folder (docs/fleet.md) opens with the signed checkpoint of the
    # entries before it, before any entry: the chain goes on from its head.
    started, segment_from = False, 0
    for number, raw, item in lines:
        kind = item.get("t")
        if kind in ("entry", "elided"):
            started = True
        if kind == "checkpoint" and not started and seq == 0:
            size = field(item, "size", int, number)
            if size > 0 and isinstance(item.get("head"), str):
                seq, head, signed, segment_from = size, item["head"], size, size
            started = True
        if kind == "elided":
            n = field(item, "seq", int, number)
            digest = field(item, "sha256", str, number)
            if item.get("log") != log:
                raise Failed(number, f"elided entry {n} belongs to another log")
            if n != seq + 1 or item.get("prev") != head:
                raise Failed(number, f"elided entry {n} does not follow on from entry {seq}")
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise Failed(number, f"elided entry {n} has no SHA-256")
            seq, head = n, digest
            elided += 1
        elif kind == "record":
            if item.get("log") != log:
                raise Failed(number, "a record of another log")
            entry = field(item, "entry", int, number)
            if entry not in vouched:
                raise Failed(number, f"no entry before it vouches for a record at entry {entry}")
            text = field(item, "json", str, number)
            if hashlib.sha256(text.encode()).hexdigest() != vouched.pop(entry):
                raise Failed(number, f"the {item.get('kind')} record does not match the SHA-256 "
                                     f"entry {entry} vouches for: it was changed")
            records += 1
        elif kind == "entry":
            n = field(item, "seq", int, number)
            if item.get("log") != log:
                raise Failed(number, f"entry {n} belongs to another log")
            if n != seq + 1:
                raise Failed(number, f"entry {n} follows entry {seq}")
            if item.get("prev") != head:
                raise Failed(number, f"entry {n} does not follow on from entry {seq}")
            seq, head = n, hashlib.sha256(raw).hexdigest()
            actor = field(item, "actor", str, number)
            payload = item.get("payload")
            if isinstance(payload, dict) and isinstance(payload.get("record"), str):
                vouched[n] = payload["record"]
            if actor != EMERGENCY_ACTOR and item.get("kind") == UNSIGNED_KIND \
                    and isinstance(payload, dict):
                start, end = payload.get("from"), payload.get("to")
                # It declares every entry since the last checkpoint: the names the next
                # checkpoint answers for start again here.
                if isinstance(start, int) and isinstance(end, int) \
                        and end + 1 == n and 1 <= start <= signed + 1:
                    declared += end - signed
                    if len(declarations) < 20:
                        declarations.append((n, actor, signed + 1, end))
                    named = []
            if actor != EMERGENCY_ACTOR and len(named) < 2 and (
                    not named or named[0][2] != actor):
                named.append((number, n, actor))
        elif kind == "signer":
            if item.get("log") != log:
                raise Failed(number, "a signer line of another log")
            name = field(item, "name", str, number)
            key_text = field(item, "key", str, number)
            key = key_from_base64(key_text, der_too=False)
            if key is None:
                raise Failed(number, "the signer's key is not a base64 Ed25519 public key")
            try:
                cert = base64.b64decode(field(item, "cert", str, number), validate=True)
            except (binascii.Error, ValueError):
                raise Failed(number, "the signer's certificate is not base64")
            message = f"caregiver-log-signer/v1\n{log}\n{name}\n{key_text}\n".encode()
            if not openssl_verify(workdir, signer, message, cert):
                raise Failed(number, f"the certificate of the key of {name} fails: the "
                                     "workstation's key did not make it")
            known = signers.get(fingerprint(key))
            if known is not None and known[0] != name:
                raise Failed(number, f"the key {fingerprint(key)} is certified for two names")
            signers[fingerprint(key)] = (name, key)
        elif kind == "checkpoint":
            size = field(item, "size", int, number)
            if item.get("log") != log:
                raise Failed(number, "a checkpoint of another log")
            if size != seq or item.get("head") != head:
                raise Failed(number, f"the checkpoint for {size} entries does not match entry {seq}")
            by = item.get("by")
            if by is None:
                key = signer  # the workstation's key: logs from before people signed their own
            else:
                if by not in signers:
                    raise Failed(number, f"the checkpoint at entry {size} is signed by the key "
                                         f"{by}, which no signer line of the bundle certifies")
                name, key = signers[by]
                for at, n, actor in named:
                    if actor != name:
                        raise Failed(at, f"entry {n} is in the name of {actor}, but the "
                                         f"checkpoint that covers it (line {number}) is signed "
                                         f"by the key of {name}: an entry written in another's "
                                         "name")
            named = []
            message = f"caregiver-log-checkpoint/v1\n{log}\n{size}\n{head}\n".encode()
            try:
                signature = base64.b64decode(field(item, "sig", str, number), validate=True)
            except (binascii.Error, ValueError):
                raise Failed(number, "the checkpoint's signature is not base64")
            if check_all and not openssl_verify(workdir, key, message, signature):
                raise Failed(number, f"the signature of the checkpoint at entry {size} fails")
            last_signed[key] = (number, size, message, signature, key)
            signed = size
        else:
            raise Failed(number, "neither an entry, an elided entry, a record, a signer nor a "
                                 "checkpoint")
    if signed != seq:
        raise Failed(number, f"entries {signed + 1} to {seq} are not covered by a signed "
                             "checkpoint: the bundle was cut short, or its end was changed")
    # The earliest failure first.
    for at, size, message, signature, key in sorted(last_signed.values()):
        if not openssl_verify(workdir, key, message, signature):
            raise Failed(at, f"the signature of the checkpoint at entry {size} fails")
    if segment_from:
        print(f"a segment (docs/fleet.md): entries {segment_from + 1} to {seq}, following on "
              f"from the signed checkpoint at entry {segment_from}")
    print(f"ok: {seq} entries, chain intact, head {head}, signed by log {log}")
    if trusted is not None:
        print(f"signer: {fingerprint(signer)} (the trusted key)")
    else:
        print(f"signer: {fingerprint(signer)}")
        print("NOT CHECKED: the signer was not checked against a trusted key, so anyone could "
              "have re-signed this bundle. Check it with --pubkey KEY (a trusted copy of the "
              "workstation's key: `caregiver log key --out key.pem`), or compare the "
              "fingerprint above with the one printed on the incident's HICS 214 or review.")
    if signers:
        print(f"people: {len(signers)} keys certified by the signer; each entry a person's "
              "key signed is in that person's name")
    if elided:
        print(f"incident bundle: {elided} entries of other incidents elided (their place in "
              f"the chain kept); {records} records attached, each matching the SHA-256 its "
              "entry vouches for")
    if declared:
        print(f"unsigned: {declared} entries are covered without their author's signature: "
              "their session ended without signing a checkpoint (the app was killed, or the "
              "power went), and the next person to write declared them:")
        for at, by, start, end in declarations:
            print(f"  entries {start} to {end}, declared by {by} at entry {at}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle")
    parser.add_argument("--pubkey", metavar="KEY",
                        help="the key the bundle must be signed by (base64, PEM, or a file)")
    parser.add_argument("--all-signatures", action="store_true",
                        help="check every checkpoint's signature, not only the last")
    args = parser.parse_args()
    trusted = read_key(args.pubkey, parser) if args.pubkey is not None else None
    try:
        bundle = open(args.bundle, "rb")
    except OSError as e:
        sys.exit(f"cannot open {args.bundle}: {e.strerror}")
    try:
        # The folder and what openssl reads in it go away however the check ends.
        with bundle, tempfile.TemporaryDirectory(prefix="verify-bundle-") as workdir:
            check(bundle, trusted, args.all_signatures, workdir)
    except Failed as e:
        print(e)
        sys.exit(1)
    except FileNotFoundError as e:
        sys.exit(f"cannot run openssl (OpenSSL 3.0 or later is needed): {e}")


if __name__ == "__main__":
    main()
