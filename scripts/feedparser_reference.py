#!/usr/bin/env python3
"""Run feedparser (the Python reference parser) over the shared feed corpus and write what it
finds to fixtures/golden/feedparser-reference.json, for crates/parse/tests/feedparser_agreement.rs.

The output is derived data, not a copy of the corpus: per file (path relative to the corpus
root), feedparser's bozo flag, its item count and, per item, the fields kb compares:

  title     feedparser's title as plain text (tags stripped, entities decoded when its
            title_detail says html/xhtml), cut to 200 characters
  link      entry.link
  published, updated
            from *_parsed (feedparser normalises to UTC), as RFC 3339 "YYYY-MM-DDTHH:MM:SSZ"
  author    entry.author; author_name is added when author_detail.name differs (feedparser
            keeps RSS "email (name)" authors whole in `author`)
  tags      the terms of entry.tags

Keys absent from an item mean feedparser had no value. Usage (from the repository root):

  pip install feedparser chardet   # chardet: feedparser guesses undeclared charsets with it
  python3 scripts/feedparser_reference.py [CORPUS_DIR [OUTPUT]]
      # defaults: ../shared/corpus, fixtures/golden/feedparser-reference.json; another corpus
      # (feedparser's whole test suite) with its own OUTPUT: see the docs of
      # crates/parse/tests/feedparser_agreement.rs

Files are parsed from their bytes with no URL, exactly as `kb parse FILE` sees them.
"""

import html
import json
import os
import re
import sys
import time

import chardet  # noqa: F401  (not used here: without it feedparser reads undeclared
                #  legacy charsets as windows-1252, and the reference would be mojibake)
import feedparser

TITLE_MAX = 200
TAG = re.compile(r"<[^>]*>")


def rfc3339(parsed):
    if not parsed:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)


def plain_title(entry):
    title = dict.get(entry, "title")
    if title is None:
        return None
    detail = dict.get(entry, "title_detail") or {}
    if "html" in (detail.get("type") or ""):
        title = html.unescape(TAG.sub("", title))
    title = " ".join(title.split())
    return title[:TITLE_MAX]


def item(entry):
    out = {}
    title = plain_title(entry)
    if title is not None:
        out["title"] = title
    link = dict.get(entry, "link")
    if link:
        out["link"] = link
    for key in ("published", "updated"):
        value = rfc3339(dict.get(entry, key + "_parsed"))
        if value:
            out[key] = value
    author = dict.get(entry, "author")
    if author:
        out["author"] = author
        name = (dict.get(entry, "author_detail") or {}).get("name")
        if name and name != author:
            out["author_name"] = name
    tags = [t.get("term") for t in dict.get(entry, "tags") or [] if t.get("term")]
    if tags:
        out["tags"] = tags
    return out


def corpus_files(root):
    for tree in ("feedparser", "realworld"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, tree)):
            dirnames.sort()
            for name in sorted(filenames):
                # What crates/parse/tests/corpus.rs covers; feedparser's suite keeps its
                # Python tests beside the feeds.
                if not name.endswith((".md", ".py")):
                    yield os.path.join(dirpath, name)


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "..", "shared", "corpus")
    root = os.path.normpath(root)
    files = {}
    for path in corpus_files(root):
        with open(path, "rb") as f:
            data = f.read()
        result = feedparser.parse(data)
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        files[rel] = {
            "bozo": bool(result.get("bozo")),
            "count": len(result.entries),
            "items": [item(e) for e in result.entries],
        }
    out = {
        "generator": "scripts/feedparser_reference.py",
        "feedparser": f"{feedparser.__version__} with chardet {chardet.__version__}",
        "files": files,
    }
    target = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        repo, "fixtures", "golden", "feedparser-reference.json"
    )
    # Compact, sorted, and one corpus file per line so a regenerated reference diffs readably.
    def dump(value):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    lines = [f"{dump(path)}:{dump(files[path])}" for path in sorted(files)]
    with open(target, "w", encoding="utf-8") as f:
        f.write("{" + dump("feedparser") + ":" + dump(out["feedparser"]) + ",\n")
        f.write(dump("files") + ":{\n" + ",\n".join(lines) + "\n},\n")
        f.write(dump("generator") + ":" + dump(out["generator"]) + "}\n")
    print(f"{len(files)} files, {sum(v['count'] for v in files.values())} items -> {target}")


if __name__ == "__main__":
    main()
