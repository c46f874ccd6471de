"""Language server (`kpi lsp`, over stdio, on pygls): what `kpi check`, `kpi fmt` and `kpi test`
say of a scheme, and the scores its data gives, in the editor while the scheme is written."""
from __future__ import annotations

import asyncio
import difflib
import re
import statistics
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import ast
from ..numbers import plain
from ..parser import keyword_spellings
from .document import Analysis, CachedReader, Token, keywords
from .words import MEANINGS

RUN_EXAMPLES = "kpidsl.runExamples"


class KpiServer(LanguageServer):
    def __init__(self):
        super().__init__("kpi-lsp", "0.1.0")
        self.analyses: dict[str, Analysis] = {}
        self.reader = CachedReader()
        self.unit: str | None = None  # the unit whose scores the inlay hints show (default: the first)

    def analysis(self, uri: str) -> Analysis:
        document = self.workspace.get_text_document(uri)
        kept = self.analyses.get(uri)
        if kept is None or kept.text != document.source or kept.stale():
            kept = self.analyses[uri] = Analysis(document.source, Path(to_fs_path(uri) or uri), self.reader)
        return kept


server = KpiServer()


# ---- diagnostics ------------------------------------------------------------------------
def _range(line: int, start: int, end: int) -> t.Range:
    return t.Range(t.Position(line, start), t.Position(line, end))


def _token_range(token: Token) -> t.Range:
    return _range(token.line, token.start, token.end)


def lsp_diagnostics(analysis: Analysis, with_data: bool) -> list[t.Diagnostic]:
    return [t.Diagnostic(range=_range(d.line, d.start, d.end), message=d.diagnostic.message,
                         severity=t.DiagnosticSeverity.Warning if d.diagnostic.is_warning else t.DiagnosticSeverity.Error,
                         code=d.diagnostic.code, source="kpi")
            for d in analysis.diagnostics(with_data)]


async def _publish(ls: KpiServer, uri: str, version: int | None) -> None:
    """The syntax and check diagnostics at once; those of the data (read, checked, scored) when
    no newer edit is waiting."""
    analysis = ls.analysis(uri)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri, lsp_diagnostics(analysis, False), version))
    await asyncio.sleep(0.05)  # let a keystroke that follows replace this version first
    if ls.analyses.get(uri) is not analysis or ls.workspace.get_text_document(uri).source != analysis.text:
        return
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri, lsp_diagnostics(analysis, True), version))


@server.feature(t.INITIALIZE)
def initialize(ls: KpiServer, params: t.InitializeParams):
    options = params.initialization_options or {}
    if isinstance(options, dict) and isinstance(options.get("unit"), str):
        ls.unit = options["unit"]


@server.feature(t.WORKSPACE_DID_CHANGE_CONFIGURATION)
def configuration(ls: KpiServer, params: t.DidChangeConfigurationParams):
    settings = params.settings if isinstance(params.settings, dict) else {}
    section = settings.get("kpidsl", settings)  # VS Code sends its section: {"kpidsl": {"unit": …}}
    unit = section.get("unit") if isinstance(section, dict) else None
    if isinstance(unit, str) or unit is None:
        ls.unit = unit or None
        workspace = ls.client_capabilities.workspace
        if workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support:
            ls.workspace_inlay_hint_refresh(None)


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: KpiServer, params: t.DidOpenTextDocumentParams):
    await _publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: KpiServer, params: t.DidChangeTextDocumentParams):
    await _publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: KpiServer, params: t.DidSaveTextDocumentParams):
    await _publish(ls, params.text_document.uri, None)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: KpiServer, params: t.DidCloseTextDocumentParams):
    ls.analyses.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(params.text_document.uri, []))


# ---- hover ------------------------------------------------------------------------------
def _chosen(analysis: Analysis, unit: str | None) -> int | None:
    """The index of the unit the settings name (by name, alias or prefix), else the first."""
    evaluation = analysis.evaluation
    if evaluation is None or not evaluation.engine.data.units:
        return None
    data = evaluation.engine.data
    if unit:
        from ..errors import KpiError

        try:
            return data.units.index(data.find_unit(unit, analysis.lang))
        except KpiError:
            return None
    return 0


def _node_results(analysis: Analysis, i: int) -> dict:
    return {n.path[-1]: n for n in analysis.evaluation.scoring.unit(i).nodes()}


def _values(analysis: Analysis, node: str | None, expr: ast.Expr) -> str:
    """What an expression is for every unit, as the explanation shows it, with the count of
    units that have it, the missing, and the least, median and greatest; "" without data."""
    evaluation = analysis.evaluation
    if evaluation is None or not evaluation.engine.size:
        return ""
    from decimal import Decimal

    import numpy as np

    from ..engine.core import Reads, Where
    from ..engine.num import NUMBER

    engine = evaluation.engine
    try:
        col = engine.value(Where(node, node), expr, Reads())
    except Exception:  # noqa: BLE001  (a name the engine cannot read from here: the hover says less)
        return ""
    every = np.arange(engine.size)
    shown = [None if err else text for err, text in zip(col.err.tolist(), engine.shown_values(col, every))]
    numbers = [Decimal(f.numerator) / Decimal(f.denominator)
               for f in (engine.python(col, i) for i in np.flatnonzero((col.err == 0) & (col.kind == NUMBER)).tolist())]
    zh = analysis.lang == "zh"
    present = [v for v in shown if v is not None]
    lines = [f"{'单位' if zh else 'units'} {len(present)}，{'缺失' if zh else 'missing'} {len(shown) - len(present)}"]
    if numbers:
        lines.append(f"{'最小' if zh else 'min'} {plain(min(numbers))}，{'中位数' if zh else 'median'} "
                     f"{plain(statistics.median(numbers))}，{'最大' if zh else 'max'} {plain(max(numbers))}")
    lines.append("")
    lines += [f"- {u.name}：{v if v is not None else '—'}" for u, v in zip(engine.data.units, shown)]
    return "\n\n" + "\n".join(lines)


def _meaning(term: str, lang: str) -> str:
    """A keyword's meaning in the file's language; "" for one added to the grammar and not yet here
    (tests/test_editor_grammar.py fails until it is)."""
    return MEANINGS.get(term, ("", ""))[0 if lang == "zh" else 1]


def hover_text(ls: KpiServer, analysis: Analysis, token: Token) -> str | None:
    zh = analysis.lang == "zh"
    meaning = analysis.meaning(token)
    match meaning:
        case ("node", info):
            node = info.node
            kind = (("加分板块" if node.bonus else "板块") if isinstance(node, ast.Section) else "指标") if zh else \
                (("bonus" if node.bonus else "section") if isinstance(node, ast.Section) else "item")
            lines = [f"**{kind} {node.name}** {node.points}" + (f"　{node.title}" if node.title else "")]
            if info.weight != 1 and not info.bonus:
                lines.append(f"{'计入总分' if zh else 'counts in the total'} × {plain(info.weight)}")
            i = _chosen(analysis, ls.unit)
            result = _node_results(analysis, i).get(node.name) if i is not None else None
            if result is not None and result.lines:  # the rule in words, as the explanation gives it
                lines.append(f"{'规则' if zh else 'rule'}：{result.lines[0].text}")
            elif isinstance(node, ast.Item) and node.rule:  # no data to score: the rule as written
                from ..render.outline import RULE_NAMES

                written = analysis.text.split("\n")[node.rule.pos.line - 1].strip()
                lines.append(f"{'规则' if zh else 'rule'}：{RULE_NAMES[type(node.rule)]} `{written}`")
            if result is not None:
                unit = analysis.evaluation.engine.data.units[i].name
                lines.append(f"**{unit}**：{plain(result.score)} / {plain(result.max)}")
                lines += [f"- {line.said or line.arithmetic}" for line in result.lines]
            if node.source:
                lines.append(f"{'原文' if zh else 'source'}：{node.source}")
            if node.interpretation:
                lines.append(f"{'口径' if zh else 'reading'}：{node.interpretation}")
            return "\n\n".join(lines)
        case ("let", let):
            owner = next((name for name, info in (analysis.index.nodes.items() if analysis.index else ())
                          if let in info.node.lets), None)
            text = f"**{'计算' if zh else 'let'} {let.name}** = {ast.show_expr(let.expr, analysis.lang)}"
            return text + _values(analysis, owner, ast.Ref(None, let.name, let.pos))
        case ("const", const):
            return f"**{'常量' if zh else 'const'} {const.name}** = " + "，".join(f"{g} {q}" for g, q in const.values)
        case ("field", node, field, term):
            head = f"**{node}.{field}**" + (f"　{_meaning(term, analysis.lang)}" if term else "")
            return head + _values(analysis, node, ast.Ref(node, field, ast.Pos(token.line + 1, token.start + 1)))
        case ("keyword", term):
            spellings = keyword_spellings()[term]
            return f"**{spellings[0]}** / `{spellings[-1]}`\n\n{_meaning(term, analysis.lang)}"
        case ("group", name):
            dataset = analysis.dataset
            members = [u.name for u in dataset.units if u.group == name] if dataset else []
            return f"**{'分组' if zh else 'group'} {name}**" + \
                (f"：{len(members)} {'个单位' if zh else 'units'}（{'、'.join(members)}）" if members else "")
        case ("unit", name):
            return _unit_hover(analysis, name)
    return None


def _unit_hover(analysis: Analysis, name: str) -> str | None:
    """A unit the scheme names (要求 适用 长江镇), found as `kpi explain` finds it: its group,
    total and ranks."""
    from ..errors import KpiError

    evaluation = analysis.evaluation
    if evaluation is None:
        return None
    data = evaluation.engine.data
    try:
        unit = data.find_unit(name, analysis.lang)
    except KpiError as e:
        return e.diagnostics[0].message
    zh = analysis.lang == "zh"
    result = evaluation.scoring.unit(data.units.index(unit))
    return (f"**{unit.name}**（{result.group}）{'总分' if zh else 'total'} {plain(result.total)}，"
            f"{'名次' if zh else 'rank'} {result.rank}（{'组内' if zh else 'in its group'} {result.group_rank}）")


@server.feature(t.TEXT_DOCUMENT_HOVER)
def hover(ls: KpiServer, params: t.HoverParams):
    analysis = ls.analysis(params.text_document.uri)
    token = analysis.token_at(params.position.line, params.position.character)
    if token is None or token.kind != "word":
        return None
    text = hover_text(ls, analysis, token)
    if text is None:
        return None
    return t.Hover(t.MarkupContent(t.MarkupKind.Markdown, text), _token_range(token))


# ---- completion -------------------------------------------------------------------------
@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[".", "．"]))
def completion(ls: KpiServer, params: t.CompletionParams):
    analysis = ls.analysis(params.text_document.uri)
    line, column = params.position.line, params.position.character
    text_line = analysis.text.split("\n")[line] if line < analysis.text.count("\n") + 1 else ""
    before = text_line[:column]
    dotted = re.search(r"([^\W\d]\w*)[.．]\w*$", before)
    items: dict[str, t.CompletionItem] = {}

    def add(label: str, kind: t.CompletionItemKind, detail: str = "") -> None:
        items.setdefault(label, t.CompletionItem(label=label, kind=kind, detail=detail or None))

    zh = analysis.lang == "zh"
    fields = _data_fields(analysis)
    if dotted:  # X.字段: the fields of X, and its 完成率
        node = dotted.group(1)
        for name in sorted(f for n, f in fields if n == node):
            add(name, t.CompletionItemKind.Field, node)
        for term in ("KW_TARGET", "KW_ACTUAL", "KW_RATE"):
            add(keyword_spellings()[term][0 if zh else -1], t.CompletionItemKind.Field)
        return t.CompletionList(is_incomplete=False, items=list(items.values()))
    index = analysis.index
    if index:
        for name, info in index.nodes.items():
            add(name, t.CompletionItemKind.Class if isinstance(info.node, ast.Section) else t.CompletionItemKind.Method,
                f"{info.node.points}")
        for name in index.lets:
            add(name, t.CompletionItemKind.Variable, "计算" if zh else "let")
        for name in index.consts:
            add(name, t.CompletionItemKind.Constant, "常量" if zh else "const")
        for info in index.nodes.values():
            for let in info.node.lets:
                add(let.name, t.CompletionItemKind.Variable, f"{'计算' if zh else 'let'}（{info.node.name}）")
        for group in analysis.scheme.groups:
            add(group, t.CompletionItemKind.EnumMember, "分组" if zh else "group")
    here = analysis.node_at(line)
    for node, name in sorted(fields):
        if node == here or here is None:
            add(name, t.CompletionItemKind.Field, node)
    from .. import units

    for unit in (units.PERCENT, *units.BASE, *units.SCALED, units.PERCENT_POINTS, units.DATE):
        add(unit, t.CompletionItemKind.Unit, "计量" if zh else "unit of measure")
    dataset = analysis.dataset
    for unit in dataset.units if dataset else ():
        add(unit.name, t.CompletionItemKind.Value, unit.group)
    for term, spellings in keyword_spellings().items():
        add(spellings[0] if zh else spellings[-1], t.CompletionItemKind.Keyword,
            _meaning(term, analysis.lang))
    return t.CompletionList(is_incomplete=False, items=list(items.values()))


def _data_fields(analysis: Analysis) -> set[tuple[str, str]]:
    """(node, field) of every field the scheme reads and the data files hold."""
    found = set()
    if analysis.index:
        from ..checker import required_fields

        found |= set(required_fields(analysis.index))
    dataset = analysis.dataset
    if dataset is not None:
        found |= {(node, field) for _, node, field in dataset.values}
    return {(node, field) for node, field in found if field not in (ast.TARGET, ast.ACTUAL, ast.RATE)}


# ---- names: definition, references, rename, symbols, folding ------------------------------
def _defined(analysis: Analysis, token: Token) -> Token | None:
    match analysis.meaning(token):
        case ("node", info):
            return analysis.definition_token(info.node.pos, info.node.name)
        case ("let", let):
            return analysis.definition_token(let.pos, let.name)
        case ("const", const):
            return analysis.definition_token(const.pos, const.name)
    return None


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def definition(ls: KpiServer, params: t.DefinitionParams):
    analysis = ls.analysis(params.text_document.uri)
    token = analysis.token_at(params.position.line, params.position.character)
    found = token and _defined(analysis, token)
    return t.Location(params.text_document.uri, _token_range(found)) if found else None


def _same_name(analysis: Analysis, token: Token) -> list[Token]:
    """The places of the name under the cursor: a node, measure or constant, not a field of
    the same spelling (X.名 is X's field)."""
    if _defined(analysis, token) is None:
        return []
    return [r for r in analysis.references(token.text) if analysis.qualifier(r) is None]


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
def references(ls: KpiServer, params: t.ReferenceParams):
    analysis = ls.analysis(params.text_document.uri)
    token = analysis.token_at(params.position.line, params.position.character)
    if token is None:
        return None
    found = _same_name(analysis, token)
    if not params.context.include_declaration:
        found = [r for r in found if r != _defined(analysis, token)]
    return [t.Location(params.text_document.uri, _token_range(r)) for r in found]


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)
def highlight(ls: KpiServer, params: t.DocumentHighlightParams):
    analysis = ls.analysis(params.text_document.uri)
    token = analysis.token_at(params.position.line, params.position.character)
    return [t.DocumentHighlight(_token_range(r)) for r in _same_name(analysis, token)] if token else None


@server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(ls: KpiServer, params: t.PrepareRenameParams):
    analysis = ls.analysis(params.text_document.uri)
    token = analysis.token_at(params.position.line, params.position.character)
    return _token_range(token) if token and _same_name(analysis, token) else None


@server.feature(t.TEXT_DOCUMENT_RENAME)
def rename(ls: KpiServer, params: t.RenameParams):
    analysis = ls.analysis(params.text_document.uri)
    token = analysis.token_at(params.position.line, params.position.character)
    if token is None or not re.fullmatch(r"[^\W\d]\w*", params.new_name) or params.new_name in keywords() or \
            analysis.named(params.new_name):
        return None  # not a name, a keyword, or one taken already (E204)
    edits = [t.TextEdit(_token_range(r), params.new_name) for r in _same_name(analysis, token)]
    return t.WorkspaceEdit(changes={params.text_document.uri: edits}) if edits else None


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def symbols(ls: KpiServer, params: t.DocumentSymbolParams):
    analysis = ls.analysis(params.text_document.uri)
    if analysis.scheme is None:
        return []
    from ..render.outline import describe

    def symbol(node) -> t.DocumentSymbol:
        first, last = analysis.span(node.pos)
        name = analysis.definition_token(node.pos, node.name)
        detail = f"{node.points}" + (f"  {describe(node)}" if describe(node) else "")
        return t.DocumentSymbol(
            name=node.name, detail=detail,
            kind=t.SymbolKind.Module if isinstance(node, ast.Section) else t.SymbolKind.Function,
            range=t.Range(t.Position(first, 0), t.Position(last, len(analysis.text.split("\n")[last]))),
            selection_range=_token_range(name) if name else _range(first, 0, 0),
            children=[symbol(c) for c in getattr(node, "children", ())])

    found = [symbol(s) for s in analysis.scheme.sections]
    for named, kind in ((analysis.scheme.lets, t.SymbolKind.Variable), (analysis.scheme.consts, t.SymbolKind.Constant)):
        for x in named:
            name = analysis.definition_token(x.pos, x.name)
            where = _token_range(name) if name else _range(x.pos.line - 1, 0, 0)
            found.append(t.DocumentSymbol(name=x.name, kind=kind, range=where, selection_range=where))
    return found


@server.feature(t.TEXT_DOCUMENT_FOLDING_RANGE)
def folding(ls: KpiServer, params: t.FoldingRangeParams):
    analysis = ls.analysis(params.text_document.uri)
    found = [t.FoldingRange(analysis.tokens[i].line, analysis.tokens[j].line)
             for i, j in analysis.braces.items() if analysis.tokens[j].line > analysis.tokens[i].line]
    comments = [tok.line for tok in analysis.tokens if tok.kind == "comment" and tok.start == 0]
    run = []
    for line in comments + [None]:  # runs of whole-line comments
        if run and line == run[-1] + 1:
            run.append(line)
            continue
        if len(run) > 1:
            found.append(t.FoldingRange(run[0], run[-1], kind=t.FoldingRangeKind.Comment))
        run = [line]
    return found


# ---- formatting -------------------------------------------------------------------------
def _formatted(analysis: Analysis) -> str | None:
    """`kpi fmt` of the text; None where it does not parse (kpi fmt refuses it too)."""
    if analysis.scheme is None or analysis.syntax:
        return None
    from ..fmt import format_scheme

    return format_scheme(analysis.scheme, analysis.text)


def _edits(old: str, new: str, within: t.Range | None = None) -> list[t.TextEdit]:
    """Line edits from old to new; with `within`, only those touching its lines."""
    a, b = old.split("\n"), new.split("\n")
    edits = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if within and (i2 <= within.start.line or i1 > within.end.line):
            continue
        text = "".join(line + "\n" for line in b[j1:j2])
        edits.append(t.TextEdit(t.Range(t.Position(i1, 0), t.Position(i2, 0)), text))
    return edits


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: KpiServer, params: t.DocumentFormattingParams):
    analysis = ls.analysis(params.text_document.uri)
    new = _formatted(analysis)
    return None if new is None else _edits(analysis.text + ("" if analysis.text.endswith("\n") else "\n"), new)


@server.feature(t.TEXT_DOCUMENT_RANGE_FORMATTING)
def range_formatting(ls: KpiServer, params: t.DocumentRangeFormattingParams):
    analysis = ls.analysis(params.text_document.uri)
    new = _formatted(analysis)
    return None if new is None else _edits(analysis.text + ("" if analysis.text.endswith("\n") else "\n"), new,
                                           params.range)


# ---- code lens and inlay hints ----------------------------------------------------------
@server.feature(t.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: KpiServer, params: t.CodeLensParams):
    analysis = ls.analysis(params.text_document.uri)
    if analysis.scheme is None or not analysis.scheme.examples or analysis.syntax or \
            any(not d.is_warning for d in analysis.checked):
        return []  # as `kpi test`: examples run on a scheme that parses and checks whole
    from ..examples import run

    zh = analysis.lang == "zh"
    lenses = []
    for outcome in run(analysis.scheme, analysis.index):
        if outcome.passed:
            title = f"✓ {'通过' if zh else 'passed'}（{len(outcome.example.expectations)}）"
        else:
            shown = []
            for f in outcome.failures:
                e = f.expected
                target = f"{e.unit}.{e.node}" if e.node else f"{e.unit} {'总分' if zh else 'total'}"
                got = f.message.split("\n")[0] if f.message else f"{plain(f.got)}{e.points.unit or '分'}"
                shown.append(f"{target} {'期望' if zh else 'expected'} {e.points}，{'实得' if zh else 'got'} {got}")
            title = "✗ " + "；".join(shown)
        line = outcome.example.pos.line - 1
        lenses.append(t.CodeLens(_range(line, 0, 0), t.Command(title=title, command=RUN_EXAMPLES, arguments=[params.text_document.uri])))
    return lenses


@server.command(RUN_EXAMPLES)
def run_examples(ls: KpiServer, arguments):
    """What a lens shows, again: the scheme's examples run on the current text."""
    uri = arguments[0] if arguments else None
    workspace = ls.client_capabilities.workspace
    if isinstance(uri, str) and uri in ls.analyses and workspace and workspace.code_lens and \
            workspace.code_lens.refresh_support:
        ls.workspace_code_lens_refresh(None)


@server.feature(t.TEXT_DOCUMENT_INLAY_HINT)
def inlay_hints(ls: KpiServer, params: t.InlayHintParams):
    analysis = ls.analysis(params.text_document.uri)
    i = _chosen(analysis, ls.unit)
    if i is None:
        return []
    unit = analysis.evaluation.engine.data.units[i].name
    results = _node_results(analysis, i)
    lines = analysis.text.split("\n")
    hints = []
    for name, info in analysis.index.nodes.items():
        result = results.get(name)
        line = info.node.pos.line - 1
        if result is None or not params.range.start.line <= line <= params.range.end.line:
            continue
        hints.append(t.InlayHint(t.Position(line, len(lines[line].rstrip())),
                                 f"{unit} {plain(result.score)} / {plain(result.max)}", padding_left=True))
    return hints


# ---- code actions -----------------------------------------------------------------------
_CANDIDATES = re.compile(r"(?:是否指：|did you mean: )([^（）()?]*)")
_QUOTES = str.maketrans({"“": '"', "”": '"'})


@server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
def code_actions(ls: KpiServer, params: t.CodeActionParams):
    uri = params.text_document.uri
    analysis = ls.analysis(uri)
    zh = analysis.lang == "zh"
    lines = analysis.text.split("\n")
    actions = []

    def fix(title: str, edits: list[t.TextEdit], diagnostic: t.Diagnostic | None = None) -> None:
        actions.append(t.CodeAction(title, kind=t.CodeActionKind.QuickFix,
                                    diagnostics=[diagnostic] if diagnostic else None,
                                    edit=t.WorkspaceEdit(changes={uri: edits})))

    for d in params.context.diagnostics:
        line = d.range.start.line
        if d.code == "W204":  # 指标 甲 10 {: the number that should carry 分
            number = next((tok for tok in analysis.tokens if tok.line == line and tok.kind == "number"
                           and re.fullmatch(r"\d+(?:[.．]\d+)?", tok.text)), None)
            if number:
                fix("加上 分" if zh else "add 分", [t.TextEdit(_range(line, number.end, number.end), "分")], d)
        if d.code == "E102" and ("带引号的文字" in d.message or "quoted text" in d.message):
            start = d.range.start.character
            rest = lines[line][start:].split("#")[0].rstrip()
            if rest:
                fix("加上引号" if zh else "quote the text",
                    [t.TextEdit(_range(line, start, start + len(rest)), '"' + rest.replace('"', '\\"') + '"')], d)
        found = _CANDIDATES.search(d.message)
        if found:
            for name in re.split(r"[、,，]\s*", found.group(1).strip()):
                if name:
                    fix(f"改为 {name}" if zh else f"change to {name}", [t.TextEdit(d.range, name)], d)
    for line in range(params.range.start.line, min(params.range.end.line, len(lines) - 1) + 1):
        if "“" in lines[line] or "”" in lines[line]:
            fix("弯引号改为直引号 \"\"" if zh else 'replace curly quotes with ""',
                [t.TextEdit(_range(line, 0, len(lines[line])), lines[line].translate(_QUOTES))])
    return actions


def main() -> int:
    server.start_io()
    return 0
