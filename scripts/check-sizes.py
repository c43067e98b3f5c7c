#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that the house stays readable: no source file under the given directories longer
than --max-file lines, and no function longer than --max-function lines (its body, braces
included). Functions are found lexically (comments and literals removed, braces tracked): a
'{' that follows a parameter list at namespace or class scope opens a function; lambdas and
blocks inside it count as part of it. Prints each offender and exits 1 if there is one.

  scripts/check-sizes.py src tools
"""
import argparse
import pathlib
import re
import sys

CONTROL = re.compile(r"\b(if|for|while|switch|catch|do|else|try)\s*$")
QUALIFIERS = re.compile(
    r"\)\s*(const|noexcept(\([^()]*\))?|override|final|mutable|&|&&|->\s*[\w:<>,\s*&]+|\s)*$")


def strip(text):
    """Comments and string/char literals blanked out, newlines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
            out.append(c)  # a digit separator: 1'000'000
            i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """(name, first line, line count) of each function definition."""
    code = strip(text)
    stack = []  # per open brace: True if it opened a function (outermost only)
    in_function = 0
    start_line = 0
    name = ""
    last = 0  # where the current statement began
    for i, c in enumerate(code):
        if c in ";":
            last = i + 1
        elif c == "{":
            head = code[last:i].strip()
            opens = False
            if not in_function and head:
                head_line = " ".join(head.split())
                is_func = head_line.endswith(")") or QUALIFIERS.search(head_line)
                if re.search(r"\)\s*:\s*[\w:]+[({]", head_line):  # constructor with an initialiser list
                    is_func = True
                if is_func and not CONTROL.search(head_line.split("(")[0]) and not re.match(
                        r"^(namespace|class|struct|union|enum)\b", head_line) and "=" not in head_line.split("(")[0]:
                    opens = True
                    m = re.search(r"([~\w:]+(?:<[^<>]*>)?(?:::[~\w]+)?)\s*\(", head_line)
                    name = m.group(1) if m else head_line[:60]
                    start_line = code.count("\n", 0, i) + 1
            stack.append(opens)
            if opens:
                in_function += 1
            last = i + 1
        elif c == "}":
            opened = stack.pop() if stack else False
            if opened:
                in_function -= 1
                end_line = code.count("\n", 0, i) + 1
                yield name, start_line, end_line - start_line + 1
            last = i + 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--max-file", type=int, default=700)
    parser.add_argument("--max-function", type=int, default=80)
    args = parser.parse_args()
    problems = []
    for d in args.dirs:
        for path in sorted(pathlib.Path(d).rglob("*")):
            if path.suffix not in (".cpp", ".hpp", ".h", ".c"):
                continue
            text = path.read_text(errors="replace")
            lines = text.count("\n")
            if lines > args.max_file:
                problems.append(f"{path}: {lines} lines (at most {args.max_file})")
            for name, line, count in functions(text):
                if count > args.max_function:
                    problems.append(f"{path}:{line}: {name}: {count} lines (at most {args.max_function})")
    for p in problems:
        print(p)
    if not problems:
        print(f"check-sizes: no file over {args.max_file} lines, no function over {args.max_function}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
