#!/usr/bin/env python3
"""prom_check.py FILE: checks a Prometheus text exposition (format 0.0.4)
strictly enough to stand in for `promtool check metrics` where Prometheus is
not installed: every line is a # HELP, a # TYPE or a sample; metric and
label names match the grammar; label values are properly escaped; each
family has one HELP and one TYPE, both before its samples; no series
appears twice; every value is a float. Prints each problem and exits 1."""
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
SAMPLE = re.compile(r'^(%s)(\{(?:%s=%s(?:,%s=%s)*,?)?\})? (\S+)( -?[0-9]+)?$'
                    % (NAME, LABEL, VALUE, LABEL, VALUE))
HELP = re.compile(r'^# HELP (%s) (.*)$' % NAME)
TYPE = re.compile(r'^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$' % NAME)
PAIR = re.compile(r'(%s)=(%s)' % (LABEL, VALUE))
SUFFIXES = ('_bucket', '_sum', '_count', '_total', '_created', '_info')


def family_of(name, types):
    if name in types:
        return name
    for s in SUFFIXES:
        if name.endswith(s) and name[:-len(s)] in types:
            return name[:-len(s)]
    return name


def main():
    text = open(sys.argv[1], encoding='utf-8').read()
    errs = []
    helps, types, seen, sampled = {}, {}, set(), set()
    if not text.endswith('\n'):
        errs.append('the text does not end with a newline')
    for n, line in enumerate(text.splitlines(), 1):
        if line == '':
            errs.append('%d: empty line' % n)
            continue
        m = meta = None
        for what, regex, known in (('HELP', HELP, helps), ('TYPE', TYPE, types)):
            m = regex.match(line)
            if m:
                meta = what
                break
        if meta:
            if m.group(1) in known:
                errs.append('%d: second %s for %s' % (n, meta, m.group(1)))
            if m.group(1) in sampled:
                errs.append('%d: %s for %s after its samples' % (n, meta, m.group(1)))
            known[m.group(1)] = m.group(2)
            continue
        if line.startswith('#'):
            errs.append('%d: a comment that is neither HELP nor TYPE: %r' % (n, line))
            continue
        m = SAMPLE.match(line)
        if not m:
            errs.append('%d: not a valid sample line: %r' % (n, line))
            continue
        try:
            float(m.group(3))
        except ValueError:
            errs.append('%d: value %r is not a number' % (n, m.group(3)))
        labels = tuple(sorted(PAIR.findall(m.group(2) or '')))
        if len(set(k for k, _ in labels)) != len(labels):
            errs.append('%d: a label given twice' % n)
        key = (m.group(1), labels)
        if key in seen:
            errs.append('%d: duplicate series %s%s' % (n, m.group(1), m.group(2) or ''))
        seen.add(key)
        fam = family_of(m.group(1), types)
        sampled.add(fam)
        if fam not in types:
            errs.append('%d: %s has no TYPE' % (n, m.group(1)))
        if fam not in helps:
            errs.append('%d: %s has no HELP' % (n, m.group(1)))
    for e in errs[:20]:
        print('# ' + e)
    if not seen:
        print('# no samples at all')
        return 1
    return 1 if errs else 0


sys.exit(main())
