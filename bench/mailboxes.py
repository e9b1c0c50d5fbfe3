"""Synthetic Maildir mailboxes for the POP3 and IMAP loads: the same
messages (seeded), written once per server so neither sees the other's
index files. A few messages carry SEARCH_WORD in their body."""
import os
import random

SEARCH_WORD = "zanzibar"
WORDS = ("mail server queue delivery message folder index header body client session "
         "network address domain relay backup report meeting budget project review").split()


def message(i, rng):
    body_lines = []
    for _ in range(rng.randint(20, 120)):
        body_lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))))
    if i % 97 == 0:
        body_lines.insert(rng.randint(0, len(body_lines)), f"the {SEARCH_WORD} file is attached")
    day = 1 + i % 28
    return (f"Return-Path: <sender{i % 50}@remote.test>\r\n"
            f"From: Sender {i % 50} <sender{i % 50}@remote.test>\r\n"
            f"To: Bench User <bench@bench.test>\r\n"
            f"Subject: {rng.choice(WORDS)} {rng.choice(WORDS)} number {i}\r\n"
            f"Date: Mon, {day:02d} Jun 2026 10:{i % 60:02d}:00 +0000\r\n"
            f"Message-ID: <m{i}.bench@remote.test>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "\r\n".join(body_lines) + "\r\n")


def fill_maildir(maildir, count, uid, gid, seed=9):
    """Writes count messages into maildir/cur (already seen by an MDA) with
    Maildir file names that carry S=size, as delivering agents write them."""
    rng = random.Random(seed)
    for sub in ("", "new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        os.chown(os.path.join(maildir, sub), uid, gid)
        os.chmod(os.path.join(maildir, sub), 0o700)
    base = 1780000000
    for i in range(count):
        text = message(i, rng).encode()
        name = f"{base + i}.M{i}P1.bench,S={len(text)}:2,"
        path = os.path.join(maildir, "cur", name)
        with open(path, "wb") as f:
            f.write(text)
        os.chown(path, uid, gid)
        os.utime(path, (base + i, base + i))
