#!/usr/bin/env python3
"""Reads WARC files record by record and checks every digest, independently of asyncfetch and warcio.

usage: warc_check.py FILE.warc.gz...

For each record: WARC-Block-Digest against the SHA-1 of the block; for a response, WARC-Payload-Digest
against the SHA-1 of the entity-body with any chunked transfer coding removed (WARC 1.1 section 6.3.2);
and that each gzip member holds exactly one record. Prints the records by type and exits 1 on any
mismatch, listing the first few.
"""
import base64
import collections
import hashlib
import sys
import zlib


def sha1(data):
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def members(raw):
    """The decompressed gzip members of a file, one by one."""
    at = 0
    while at < len(raw):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = d.decompress(raw[at:]) + d.flush()
        if not d.eof:
            raise ValueError(f"gzip member at {at} is cut short")
        yield at, data
        at = len(raw) - len(d.unused_data)


def dechunk(body):
    out, at = bytearray(), 0
    while at < len(body):
        end = body.index(b"\r\n", at)
        size = int(body[at:end].split(b";")[0].strip(), 16)
        at = end + 2
        if size == 0:
            break
        out += body[at:at + size]
        at += size + 2
    return bytes(out)


def payload(block):
    head_end = block.index(b"\r\n\r\n") + 4
    head = block[:head_end].decode("latin-1").lower()
    body = block[head_end:]
    chunked = any(line.startswith("transfer-encoding:") and line.rstrip().endswith("chunked") for line in head.split("\r\n"))
    return dechunk(body) if chunked else body


def check(path, counts, problems):
    with open(path, "rb") as f:
        raw = f.read()
    for offset, data in members(raw):
        head_end = data.index(b"\r\n\r\n")
        lines = data[:head_end].decode("utf-8").split("\r\n")
        if lines[0] != "WARC/1.1":
            problems.append(f"{path}@{offset}: starts with {lines[0]!r}")
            continue
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        length = int(fields["content-length"])
        block = data[head_end + 4:head_end + 4 + length]
        if len(block) != length or data[head_end + 4 + length:] != b"\r\n\r\n":
            problems.append(f"{path}@{offset}: the member does not hold exactly one record of {length} bytes")
        kind = fields["warc-type"]
        counts[kind] += 1
        if "warc-block-digest" in fields and fields["warc-block-digest"] != sha1(block):
            problems.append(f"{path}@{offset} {kind}: block digest mismatch")
        if kind == "response" and fields.get("warc-payload-digest") != sha1(payload(block)):
            problems.append(f"{path}@{offset} response {fields.get('warc-target-uri')}: payload digest mismatch")


def main():
    counts, problems = collections.Counter(), []
    for path in sys.argv[1:]:
        check(path, counts, problems)
    print("records: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f" (total {sum(counts.values())})")
    print(f"digests: {'all match' if not problems else str(len(problems)) + ' mismatch(es)'}")
    for p in problems[:10]:
        print("  " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
