"""The PDF parsing child process: pypdf runs here, never in the reviewer's own process.

Started as ``python -I -B .../_pdfchild.py MEMORY_BYTES CPU_SECONDS``. It caps its own
address space, and before each PDF its processor time (the kernel ends it with SIGXCPU when a
PDF takes longer), then answers requests on stdin/stdout: each request is an 8-byte little-endian
length followed by that many PDF bytes; each answer is one JSON line, either
``{"pages": [text, ...]}`` or ``{"error": "corrupt"|"memory"|"limit", "detail": "..."}``.
It writes nothing else anywhere.
"""

from __future__ import annotations

import io
import json
import logging
import struct
import sys


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def _limit_cpu(seconds: float) -> None:
    """Allow `seconds` more processor time from now (RLIMIT_CPU counts whole seconds)."""
    try:
        import math
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
        _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = math.ceil(used + seconds)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, ValueError, OSError):
        pass


def _read_exact(stream: io.BufferedReader, n: int) -> bytes:
    chunks = []
    while n > 0:
        chunk = stream.read(n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def main() -> None:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    cpu = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    if limit > 0:
        _limit_memory(limit)
    logging.disable(logging.CRITICAL)  # pypdf warns through logging; answers carry the errors
    import pypdf
    from pypdf.errors import LimitReachedError

    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    while True:
        header = _read_exact(stdin, 8)  # type: ignore[arg-type]
        if len(header) < 8:
            return
        (size,) = struct.unpack("<Q", header)
        data = _read_exact(stdin, size)  # type: ignore[arg-type]
        answer: dict[str, object]
        if cpu > 0:
            _limit_cpu(cpu)
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
            answer = {"pages": pages}
        except MemoryError:
            answer = {"error": "memory", "detail": "the parser ran out of its memory limit"}
        except LimitReachedError as exc:
            answer = {"error": "limit", "detail": f"pypdf refused it: {exc}"[:300]}
        except RecursionError:
            answer = {"error": "limit", "detail": "objects nested without end"}
        except Exception as exc:  # noqa: BLE001 - every parser failure becomes an answer
            answer = {"error": "corrupt", "detail": f"{type(exc).__name__}: {exc}"[:300]}
        try:
            line = json.dumps(answer, ensure_ascii=True)
        except (ValueError, MemoryError):
            line = json.dumps({"error": "memory", "detail": "the text is too large to return"})
        del data
        stdout.write(line.encode("ascii") + b"\n")
        stdout.flush()


if __name__ == "__main__":
    main()
