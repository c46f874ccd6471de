"""Command line: kpi explain | score | check. Exit codes: 0 ok, 1 user error, 2 usage."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# numpy starts OpenBLAS's threads on import, and they spin: a third of a cold `kpi explain`'s CPU
# on two cores. kpidsl's arithmetic is integer and never calls BLAS. Set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE = 0, 1, 2


def _data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "data (default: the files the scheme names; --values, or --targets with --actuals, replace "
        "the scheme's figures; --actuals alone keeps the scheme's targets, --targets alone its actuals)")
    group.add_argument("--units", action="append", metavar="CSV", help="units file (单位,分组,别名)")
    group.add_argument("--values", action="append", metavar="CSV",
                       help="values file (单位,指标,字段,值,说明); repeat for targets and actuals")
    group.add_argument("--targets", action="append", metavar="XLSX|CSV",
                       help="targets in the wide layout of a 任务分解表 (indicators × units)")
    group.add_argument("--actuals", action="append", metavar="XLSX|CSV|DIR",
                       help="actuals in the wide layout (e.g. the sheet `kpi template` writes), or a folder "
                            "of the units' own workbooks (`kpi template --per-unit`)")
    group.add_argument("--records", action="append", metavar="CSV", help="records file (单位,指标,项目,级别)")
    group.add_argument("--allow-outside-data", action="store_true",
                       help="let the scheme name data files outside its own folder")


def _force(command) -> None:
    command.add_argument("--force", action="store_true",
                         help="write --out even where it is a symbolic link (to the file it points to)")


SCHEME_HELP = "scheme file (default: the bundled 如皋 2021 scheme)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kpi", description="kpidsl: check, score and explain assessment schemes (考核办法).")
    commands = parser.add_subparsers(dest="command", required=True)

    def unit_command(name: str, help: str, formats: list[str], units: str):
        command = commands.add_parser(name, help=help)
        command.add_argument("args", nargs="+", metavar="[SCHEME] UNIT",
                             help=f"{SCHEME_HELP} (a .kpi or an existing file), and {units}")
        command.add_argument("--format", choices=formats, default=formats[0])
        _data_options(command)
        return command

    explain = unit_command("explain", "explain units' scores, every point lost", ["text", "json"],
                           "the units, each a name (丁堰镇 白蒲镇), or one name written with spaces (丁 堰 镇)")
    explain.add_argument("--public", action="store_true",
                         help="in plain sentences, as `kpi report` publishes them (公示): no rule notation, "
                              "no scheme lines")

    score = commands.add_parser("score", help="every unit's total and ranks")
    score.add_argument("scheme", nargs="?", help=SCHEME_HELP)
    score.add_argument("--format", choices=["table", "json", "csv"],
                       help="table (the default), json, or csv: one row per unit (total, ranks, every score "
                            "and amount)")
    score.add_argument("--out", metavar="XLSX|CSV",
                       help="also write a results workbook (ranking and each unit's explanation); a name "
                            "ending .csv, or with --format csv: the CSV, for Excel (UTF-8 with a BOM)")
    score.add_argument("--no-bom", action="store_true",
                       help="write the --out CSV without the byte order mark Excel needs to read it as UTF-8")
    _force(score)
    score.add_argument("--set", action="append", metavar="UNIT.ITEM.FIELD=VALUE", default=[],
                       help="what if: score with this figure changed (repeatable) and show what moves")
    _data_options(score)

    test = commands.add_parser("test", help="run the worked examples (示例) of schemes")
    test.add_argument("paths", nargs="*", metavar="PATH", help="schemes or folders (default: the bundled schemes)")

    fmt = commands.add_parser("fmt", help="rewrite schemes in canonical layout (keeps comments and 原文)")
    fmt.add_argument("files", nargs="+", metavar="FILE")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    fmt.add_argument("--lang", choices=["zh", "en"], help="write the keywords in Chinese or English")

    diff = commands.add_parser("diff", help="what changed between two schemes, and with data, for each unit")
    diff.add_argument("old", help="the older scheme")
    diff.add_argument("new", help="the newer scheme")
    diff.add_argument("--scores", action="store_true",
                      help="also score both, each on the data it names (or both on the files given)")
    diff.add_argument("--format", choices=["table", "json"], default="table")
    _data_options(diff)

    unit_command("gap", "what it would take a unit to regain the points it lost", ["table", "json"],
                 "a unit name")

    awards = commands.add_parser("awards", help="every unit's money under the scheme's awards, and the city total")
    awards.add_argument("scheme", nargs="?", help=SCHEME_HELP)
    awards.add_argument("--format", choices=["table", "json"], default="table")
    _data_options(awards)

    report = commands.add_parser("report", help="write the results as one self-contained HTML page")
    report.add_argument("scheme", nargs="?", help=SCHEME_HELP)
    report.add_argument("--out", metavar="HTML", required=True)
    report.add_argument("--detail", action="store_true",
                        help="explain in the auditor's terms (rules, inputs, arithmetic, scheme lines) "
                             "instead of plain sentences for the public")
    _force(report)
    _data_options(report)

    template = commands.add_parser("template", help="write the workbook towns fill in with their actuals")
    template.add_argument("scheme", nargs="?", help=SCHEME_HELP)
    where = template.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="XLSX", help="one workbook, a column per unit")
    where.add_argument("--per-unit", metavar="DIR",
                       help="one workbook per unit in DIR (its targets filled in and locked); "
                            "read back with --actuals DIR")
    template.add_argument("--force", action="store_true",
                          help="replace a workbook already at --out, or in DIR with --per-unit; write through a symbolic link")
    _data_options(template)

    draft = commands.add_parser("draft", help="draft a scheme from a notice (考核办法) as published: .docx or its text")
    draft.add_argument("notice", metavar="NOTICE", help="the notice: a .docx, or text extracted from one")
    draft.add_argument("--out", metavar="DIR", help="the folder to write the draft into (default: NOTICE's name + -草案)")
    draft.add_argument("--force", action="store_true", help="write into --out even if it is not empty")

    commands.add_parser("lsp", help="the language server, over stdio, for editors (docs/editor.md)")

    check = commands.add_parser("check", help="check a scheme (and its data) and print its outline")
    check.add_argument("scheme", nargs="?", help=SCHEME_HELP)
    check.add_argument("--no-data", action="store_true", help="check the scheme alone")
    _data_options(check)
    return parser


def _progress(console):
    """A progress bar for more than 1,000 units on a terminal; nothing on a pipe."""
    def track(items, total: int, description: str):
        if total <= 1000 or not console.is_terminal:
            return items
        from rich.progress import track as rich_track

        return rich_track(items, total=total, description=description, console=console)

    return track


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(parser, args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `kpi score | head`
        return EXIT_OK


def _pipe_closed() -> None:
    """rich's answer to a reader gone away (`kpi explain … | head`) is exit 1, as if the user
    erred: what is left goes nowhere and the run ends as any other command's does then."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise BrokenPipeError


def _run(parser: argparse.ArgumentParser, args) -> int:
    from rich.console import Console

    from .errors import KpiError
    from .pipeline import load_all

    out, err = Console(), Console(stderr=True, highlight=False)
    out.on_broken_pipe = _pipe_closed
    args.unit = None
    scheme_path = getattr(args, "scheme", None)
    if args.command in ("explain", "gap"):
        first, *rest = args.args
        is_scheme = first.endswith(".kpi") or Path(first).is_file()
        scheme_path, args.words = (first, rest) if is_scheme else (None, args.args)
        if not "".join(args.words).strip():  # `kpi explain ""`: no name, not a prefix of every name
            parser.error(f"{args.command} needs a unit name after the scheme")
        args.unit = " ".join(args.words)  # `kpi gap 丁 堰 镇`: a unit name may be split by spaces
        if args.command == "explain" and args.public and args.format == "json":
            parser.error("--public is the text explanation in plain sentences; it does not combine with --format json")
    if args.command == "report" and Path(args.out).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".csv", ".json"):
        parser.error(f"kpi report writes an HTML page, not {Path(args.out).suffix}: name it .html "
                     "(the results workbook is kpi score --out FILE.xlsx)")
    try:
        if args.command in SCHEMELESS:
            return SCHEMELESS[args.command](args, out, err)
        if args.command in ON_DATA:
            return ON_DATA[args.command](scheme_path, args, out, err)
        if args.command == "score":
            _score_format(parser, args)
        if (args.command == "score" and args.format != "csv" and not args.set and not args.out) or \
                args.command == "awards":
            return _scores_only(scheme_path, args, out, err)
        if args.command == "score" and args.format == "csv":
            if args.set:
                parser.error("--set cannot be combined with --format csv")
            return _score_csv(scheme_path, args, err)
        loaded = load_all(scheme_path, units=args.units, values=args.values, records=args.records,
                          targets=args.targets, actuals=args.actuals,
                          with_data=not getattr(args, "no_data", False),
                          check_data=args.command != "template",  # a template precedes the figures
                          allow_outside=args.allow_outside_data)
        _warn(loaded.warnings, err)
        return ON_SCHEME[args.command](loaded, args, out, err, _progress(err))
    except KpiError as e:
        err.print(e.render(), markup=False, soft_wrap=True)
        return EXIT_USER_ERROR


def _check(loaded, args, out, err, progress) -> int:
    from .render.outline import render as outline

    outline(loaded.scheme, out)
    if loaded.data is not None:
        loaded.evaluate()  # surfaces every missing or malformed value
        loaded.pay()  # and every one an award reads: a scheme whose awards cannot be paid is not complete
        out.print(f"数据完整：{len(loaded.data.units)} 个单位，每条规则所需数据齐全。")
    return EXIT_OK


def _template(loaded, args, out, err, progress) -> int:
    from .render.workbook import write_template

    if args.per_unit:
        return _per_unit(loaded, args, err, progress)
    if Path(args.out).is_file() and not args.force:  # the data-entry workbook: it may be filled in already
        from .output import refusal

        raise refusal(args.out, "已存在，可能是已填报的工作簿；确要覆盖，请加 --force",
                      "is there already, maybe a filled-in workbook; add --force to replace it", loaded.scheme.language)
    with _out(args) as f:
        write_template(loaded.index, loaded.data, f, progress)
    err.print(f"已写入 {args.out}", markup=False)
    return EXIT_OK


def _per_unit(loaded, args, err, progress) -> int:
    """One workbook per unit in the folder --per-unit names (made if its parent exists); none is
    written if one would replace a workbook already there, unless --force: it may be a town's
    return."""
    from .output import check_target, folder, refusal, replacing
    from .pipeline import input_files
    from .render.workbook import file_name, write_template

    lang = loaded.scheme.language
    into = folder(args.per_unit, lang)
    taken: set[str] = set()
    paths = [(unit, into / file_name(unit.name, taken)) for unit in loaded.data.units]
    there = [p.name for _, p in paths if p.exists() or p.is_symlink()]
    if there and not args.force:
        listed = "、".join(there[:3]) + (" 等" if len(there) > 3 else "")
        raise refusal(args.per_unit, f"已有 {len(there)} 份填报表（{listed}），可能是已交回的；确要覆盖，请加 --force",
                      f"{len(there)} workbooks are there already ({listed}), maybe returned ones; "
                      "add --force to replace them", lang)
    read = input_files(args.scheme, **_files(args))
    for unit, path in progress(paths, len(paths), "写入各单位填报表"):
        with replacing(check_target(str(path), read, args.force, lang), str(path)) as f:
            write_template(loaded.index, loaded.data, f, owner=unit)
    err.print(f"已写入 {len(paths)} 份填报表到 {args.per_unit}", markup=False)
    return EXIT_OK


def _score(loaded, args, out, err, progress) -> int:
    """`kpi score` with a results workbook (--out) or a what-if (--set)."""
    if args.set:
        return _what_if(loaded, args, out)
    from .render.workbook import write_results

    evaluation = loaded.evaluation
    with _out(args) as f:
        write_results(evaluation.results(), f, progress, evaluation.awards())
    _print_scores(evaluation, args.format, out)
    return EXIT_OK


def _print_scores(evaluation, form: str, out) -> None:
    """Every unit's scores, as the ranking table or as JSON (no explanations)."""
    from .render.scores_csv import from_evaluation

    scheme, index = evaluation.engine.scheme, evaluation.engine.index
    scores = from_evaluation(evaluation)
    if form == "json":
        from .render.json import write_scores

        write_scores(scores, scheme, index, out.file)
    else:
        from .render.table import render as table

        table(scores, scheme, index, out)


def _score_format(parser, args) -> None:
    """`--out x.csv` is the CSV (a workbook under that name would open as garbage), and a CSV is
    not written under a workbook's name."""
    suffix = Path(args.out).suffix.lower() if args.out else ""
    if args.out and suffix not in (".csv", ".xlsx", ".xlsm") and not Path(args.out).is_dir():  # (a folder: E401 says so)
        parser.error(f"--out {args.out}: name it .xlsx for the results workbook, or .csv for the scores as CSV")
    is_csv = suffix == ".csv"
    if is_csv and args.format in ("table", "json"):
        parser.error(f"--out {args.out} writes the scores as CSV: leave out --format {args.format}, "
                     "or name an .xlsx file for the results workbook")
    if args.format == "csv" and suffix in (".xlsx", ".xlsm"):
        parser.error("--format csv writes CSV: name the --out file .csv")
    args.format = args.format or ("csv" if is_csv else "table")


def _score_csv(scheme_path, args, err) -> int:
    """Every unit's scores as CSV, without explanations: fast at any number of units. A file
    starts with a UTF-8 BOM, unless --no-bom: Excel opening a CSV by double-click reads it in the
    local code page (mojibake for every name) unless it has one."""
    import codecs

    from .pipeline import score_table
    from .render.scores_csv import write

    table, language, warnings = score_table(scheme_path, **_files(args))
    _warn(warnings, err)
    if args.out:
        with _out(args) as f:
            if not args.no_bom:
                f.write(codecs.BOM_UTF8)
            write(table, language, f)
    else:
        write(table, language, sys.stdout.buffer)
    return EXIT_OK


def _scores_only(scheme_path, args, out, err) -> int:
    """The ranking table, the awards table, or either as JSON: every unit scored, no
    explanation written (the figures of many units read by the columnar reader)."""
    from .pipeline import prepare
    from .render.scores_csv import from_evaluation

    evaluation, warnings, _ = prepare(scheme_path, **_files(args))
    _warn(warnings, err)
    if args.command == "score":
        _print_scores(evaluation, args.format, out)
        return EXIT_OK
    money = evaluation.money
    if money is None:
        err.print("此方案没有奖励规定 / this scheme has no awards", markup=False)
        return EXIT_OK
    from .render import money as render

    scores, scheme = from_evaluation(evaluation), evaluation.engine.scheme
    if args.format == "json":
        render.write_json(scores, scheme, money.totals(), money.departments(), out.file)
    else:
        render.table(scores, scheme, money.totals(), money.departments(), out)
    return EXIT_OK


def _files(args) -> dict:
    return dict(units=args.units, values=args.values, records=args.records, targets=args.targets,
                actuals=args.actuals, allow_outside=args.allow_outside_data)


def _report(scheme_path, args, out, err) -> int:
    from .pipeline import input_files, prepare
    from .render.html import Money, render as to_html

    evaluation, warnings, _ = prepare(scheme_path, **_files(args))
    _warn(warnings, err)
    money = None
    if evaluation.money is not None:
        from .render.scores_csv import from_evaluation

        money = Money(from_evaluation(evaluation), evaluation.money.totals(), evaluation.money.departments())
    sample = tuple(path.name for path in input_files(scheme_path, **_files(args))[1:] if _is_sample(path))
    with _out(args, "w") as f:
        f.write(to_html(evaluation.results(), money=money, sample=sample, detail=args.detail))
    err.print(f"已写入 {args.out}", markup=False)
    return EXIT_OK


def _is_sample(path: Path) -> bool:
    """A data file labelled sample data by its name (actuals-sample.csv, 完成情况（示例）.xlsx)."""
    stem = path.stem.lower()
    return any(word in stem for word in ("sample", "示例", "样例", "模拟"))


def _out(args, mode: str = "wb"):
    """The --out file, written whole or not at all (kpidsl.output)."""
    from .output import check_target, replacing
    from .pipeline import input_files

    path = check_target(args.out, input_files(args.scheme, **_files(args)), args.force)
    return replacing(path, args.out, mode=mode)


def _warn(warnings, err) -> None:
    for warning in warnings:
        err.print(warning.render(), markup=False, soft_wrap=True)


def _named_units(scheme_path, args, err):
    """The scheme evaluated over every unit, and the units named, in the order named: each word
    a unit (`kpi explain 丁堰镇 白蒲镇`), or all the words one name written with spaces (`kpi
    explain 丁 堰 镇`) where they name no units each; where they name units both ways, neither is
    guessed (E309)."""
    from .errors import KpiError, diagnostic
    from .pipeline import prepare

    words, joined = args.words, " ".join(args.words)
    try:
        evaluation, warnings, units = prepare(scheme_path, **_files(args), cells_of=words)
    except KpiError as separately:
        if len(words) == 1 or any(d.code not in ("E308", "E309") for d in separately.diagnostics):
            raise
        try:
            evaluation, warnings, units = prepare(scheme_path, **_files(args), cells_of=[joined])
        except KpiError:
            raise separately from None
    else:
        if len(words) > 1:
            data, lang = evaluation.engine.data, evaluation.engine.scheme.language
            try:
                whole = data.find_unit(joined, lang)
            except KpiError:
                whole = None
            if whole is not None:
                raise KpiError([diagnostic("E309", lang, name=joined, candidates=(
                    f"{whole.name}（合为一个单位名），或 {'、'.join(u.name for u in units)}（各为一个单位）"
                    if lang == "zh" else f"{whole.name} (one name), or {', '.join(u.name for u in units)} "
                    "(a unit each)"))])
    _warn(warnings, err)
    units = list({id(u): u for u in units}.values())  # each once, in the order named
    every = evaluation.engine.data.units
    return evaluation, [every.index(u) for u in units]


def _one_unit(scheme_path, args, err):
    """The scheme evaluated over every unit, and the unit asked for: (evaluation, its index,
    its explanation)."""
    from .pipeline import prepare

    evaluation, warnings, (unit,) = prepare(scheme_path, **_files(args), cells_of=[args.unit])
    _warn(warnings, err)
    i = evaluation.engine.data.units.index(unit)
    return evaluation, i, evaluation.scoring.unit(i)


def _explain(scheme_path, args, out, err) -> int:
    """The units named explained, one after another: the scheme evaluated over every unit once,
    the explanations written from that evaluation for these units alone."""
    from .result import Results

    evaluation, chosen = _named_units(scheme_path, args, err)
    scheme = evaluation.engine.scheme
    results = Results(scheme.title, scheme.path, tuple(evaluation.scoring.units(chosen)),
                      evaluation.scoring.total_rules())
    awards = evaluation.awards(chosen)
    if args.format == "json":
        from .render.json import render as to_json

        sys.stdout.write(to_json(results, list(results.units), awards))
        return EXIT_OK
    from .render import money
    from .render.explain import render as explain, rule

    for k, result in enumerate(results.units):
        if k:
            rule(out)
        explain(result, results.scheme, results.path, out, public=args.public, total_rule=results.rule_for(result.group))
        if awards is not None:
            money.explain(result, awards, results.path, out, public=args.public)
    return EXIT_OK


def _test(args, out, err) -> int:
    from .checker import check
    from .examples import run
    from .pipeline import bundled_schemes, read_scheme
    from .render.examples import report

    paths = [Path(p) for p in args.paths] or [bundled_schemes()]
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.glob("*.kpi")))
    if not files:
        from .errors import KpiError, diagnostic

        raise KpiError([diagnostic("E301", "zh", path=" ".join(map(str, paths)), reason="没有 .kpi 文件")])
    passed = failed = 0
    for path in files:
        scheme, source = read_scheme(path)
        check(scheme, None, source)
        outcomes = run(scheme)
        report(path, outcomes, out)
        passed += sum(o.passed for o in outcomes)
        failed += sum(not o.passed for o in outcomes)
    out.print(f"{passed} passed, {failed} failed", markup=False)
    return EXIT_USER_ERROR if failed else EXIT_OK


def _fmt(args, out, err) -> int:
    from .fmt import format_scheme
    from .pipeline import read_scheme

    unformatted = []
    for name in args.files:
        scheme, source = read_scheme(Path(name))
        formatted = format_scheme(scheme, source, args.lang)
        if formatted != source:
            unformatted.append(name)
            if not args.check:
                Path(name).write_text(formatted, encoding="utf-8")
    for name in unformatted:
        err.print(f"{'未格式化' if args.check else '已格式化'}：{name}", markup=False)
    return EXIT_USER_ERROR if args.check and unformatted else EXIT_OK


def _draft(args, out, err) -> int:
    from .draft import run

    return run(args, out, err)


def _lsp(args, out, err) -> int:
    from .lsp.server import main as serve  # pygls only here: no other command pays for it

    return serve()


def _diff(args, out, err) -> int:
    from .diff import money_changes, scheme_changes, unit_changes
    from .pipeline import prepare, read_scheme
    from .render import diff as render

    given = _files(args)
    old, new = (read_scheme(Path(p))[0] for p in (args.old, args.new))
    changes = scheme_changes(old, new)
    units = money = None
    if args.scores or any(given[k] for k in ("units", "values", "records", "targets", "actuals")):
        evaluations = []
        for path in (args.old, args.new):
            evaluation, warnings, _ = prepare(path, **given)
            _warn(warnings, err)
            evaluations.append(evaluation)
        units = unit_changes(*evaluations)
        money = money_changes(*evaluations)
    if args.format == "json":
        sys.stdout.write(render.to_json(changes, units, money))
    else:
        render.table(changes, units, out, money)
    return EXIT_OK


def _gap(scheme_path, args, out, err) -> int:
    from .gap import GapFinder
    from .render import gap as render

    evaluation, _, result = _one_unit(scheme_path, args, err)
    options, blocked = GapFinder(evaluation).find(result)
    if args.format == "json":
        sys.stdout.write(render.to_json(result, options, blocked))
    else:
        render.table(result, options, blocked, out)
    return EXIT_OK


def _what_if(loaded, args, out) -> int:
    """`kpi score --set …`: the changed scores, and the units whose total or rank moved."""
    from dataclasses import replace

    from .checker import check
    from .render.table import what_if
    from .whatif import apply, compare, parse_setting

    lang = loaded.scheme.language
    settings = [parse_setting(s, loaded.data, loaded.index, lang) for s in args.set]
    changed = replace(loaded, data=apply(loaded.data, settings, loaded.index, lang))
    check(changed.scheme, changed.data, changed.source, changed.index)  # as a data file's figures are
    changes = compare(loaded.evaluation.results(explained=False), changed.evaluation.results(explained=False))
    if args.format == "json":
        import io
        import json

        from rich.console import Console

        from .numbers import plain

        written = io.StringIO()
        _print_scores(changed.evaluation, "json", Console(file=written))
        document = json.loads(written.getvalue())
        document["what_if"] = {
            "set": [{"unit": s.unit, "item": s.item, "field": s.field, "value": s.raw} for s in settings],
            "changes": [{"unit": c.unit, "before": plain(c.before), "after": plain(c.after),
                         "difference": plain(c.difference), "rank_before": c.rank_before,
                         "rank_after": c.rank_after} for c in changes]}
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_scores(changed.evaluation, "table", out)
        what_if(settings, changes, out)
    return EXIT_OK


# Commands that read one scheme with its data, and those that do not.
ON_SCHEME = {"check": _check, "template": _template, "score": _score}
ON_DATA = {"explain": _explain, "report": _report, "gap": _gap}  # read by pipeline.prepare
SCHEMELESS = {"diff": _diff, "fmt": _fmt, "test": _test, "draft": _draft, "lsp": _lsp}


if __name__ == "__main__":
    sys.exit(main())
