"""`kpi lsp` driven over stdio by a real LSP client (pytest-lsp): each feature on the bundled
schemes and on broken ones (a missing `}`, an unknown field, a curly quote)."""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient

from kpidsl.fmt import format_scheme
from kpidsl.pipeline import bundled_schemes, load_all, read_scheme

KPI = str(Path(sys.executable).with_name("kpi"))  # the installed command: not the checkout's modules
SCHEMES = bundled_schemes()
RUGAO = SCHEMES / "rugao-2021.kpi"
TEXT = RUGAO.read_text(encoding="utf-8")

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[KPI, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(t.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"), initialization_options={"unit": "丁堰镇"}))
    yield
    await lsp_client.shutdown_session()


VERSIONS = iter(range(1, 10_000))


async def opened(client: LanguageClient, text: str, path: Path = RUGAO) -> str:
    """Open (or replace) a document and wait for its diagnostics with the data's."""
    uri = path.as_uri()
    client.text_document_did_close(t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(uri)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(uri, "kpi", next(VERSIONS), text)))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


def where(text: str, needle: str, after: str = "", offset: int = 0) -> t.Position:
    """The position of `needle` (the first after `after`), plus offset characters."""
    at = text.index(needle, text.index(after) if after else 0) + offset
    line = text.count("\n", 0, at)
    return t.Position(line, at - (text.rfind("\n", 0, at) + 1))


def codes(client: LanguageClient, uri: str) -> list[tuple[str, int]]:
    return [(d.code, d.range.start.line) for d in client.diagnostics[uri]]


def applied(text: str, edits: list[t.TextEdit]) -> str:
    lines = text.split("\n")
    offsets = [sum(len(x) + 1 for x in lines[:n]) for n in range(len(lines) + 1)]
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start = offsets[e.range.start.line] + e.range.start.character
        end = offsets[e.range.end.line] + e.range.end.character
        text = text[:start] + e.new_text + text[end:]
    return text


# ---- diagnostics ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in SCHEMES.glob("*.kpi")))
async def test_bundled_schemes_diagnostics_are_kpi_checks(client, name):
    path = SCHEMES / name
    uri = await opened(client, path.read_text(encoding="utf-8"), path)
    warnings = load_all(path).warnings  # what `kpi check` prints
    assert codes(client, uri) == [(d.code, d.line - 1) for d in warnings]
    assert [d.message for d in client.diagnostics[uri]] == [d.message for d in warnings]


async def test_a_missing_brace_is_reported_where_it_shows(client):
    broken = TEXT.replace('      口径 "任务为附件1 其中：居保转企保。"\n    }', '      口径 "任务为附件1 其中：居保转企保。"', 1)
    uri = await opened(client, broken)
    (found,) = client.diagnostics[uri]
    assert found.code == "E102" and found.severity == t.DiagnosticSeverity.Error
    assert found.range.start == where(broken, "指标 参保位次考核")
    assert "另起一条语句，或 }" in found.message


async def test_the_first_syntax_error_is_kpi_checks(client, tmp_path):
    import asyncio
    import subprocess

    broken = TEXT.replace("按比例 实际 / 任务\n      别名 \"居民养老保险参保缴费人数\"", "按比例 实际 / / 任务\n      别名 \"居民养老保险参保缴费人数\"", 1)
    (tmp_path / "broken.kpi").write_text(broken, encoding="utf-8")
    printed = (await asyncio.to_thread(subprocess.run, [KPI, "check", "--no-data", "broken.kpi"], cwd=tmp_path,
                                       capture_output=True, text=True, check=False)).stderr
    uri = await opened(client, broken)
    (found,) = client.diagnostics[uri]
    at = where(broken, "/ / 任务", offset=2)
    assert printed.startswith(f"broken.kpi:{at.line + 1}:{at.character + 1}: {found.code} {found.message}\n")
    assert found.range.start == at


async def test_every_syntax_error_at_once_and_the_rest_still_checked(client):
    broken = TEXT.replace("未达 70% 不得分\n      别名 \"职工基本", "未达 70% 不得 分\n      别名 \"职工基本", 1) \
        .replace("按比例 实际 / 任务\n      别名 \"居民养老保险参保缴费人数\"", "按比例 实际 / / 任务\n      别名 \"居民养老保险参保缴费人数\"", 1) \
        .replace("常量 劳务基地要求 = 主功能区 2家, 镇 1家", "常量 劳务基地要求 = 主功能区 2家, 镇 1家, 城区 1家", 1)
    uri = await opened(client, broken)
    assert codes(client, uri) == [("E102", where(broken, "不得 分").line), ("E102", where(broken, "/ / 任务").line),
                                  ("E206", where(broken, "常量 劳务基地要求").line)]


async def test_an_unknown_field_is_reported_where_it_is_read_with_did_you_mean(client):
    broken = TEXT.replace("按比例 实际 / 任务\n      别名 \"居民养老保险参保缴费人数\"", "按比例 实际数 / 任务\n      别名 \"居民养老保险参保缴费人数\"", 1)
    uri = await opened(client, broken)
    (found,) = client.diagnostics[uri]
    assert found.code == "E305" and "实际数" in found.message and "是否指：实际" in found.message
    assert "共 14 个单位" in found.message
    assert found.range.start == where(broken, "实际数")
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        t.TextDocumentIdentifier(uri), found.range, t.CodeActionContext([found])))
    fixed = applied(broken, next(a for a in actions if a.title == "改为 实际").edit.changes[uri])
    assert fixed == TEXT


async def test_a_curly_quote_is_reported_and_replaced(client):
    broken = TEXT.replace('原文 "①企业职工养老保险新增参保人数（20分）', '原文 “①企业职工养老保险新增参保人数（20分）', 1)
    uri = await opened(client, broken)
    (found,) = client.diagnostics[uri]
    assert found.code == "E101" and "“" in found.message
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        t.TextDocumentIdentifier(uri), found.range, t.CodeActionContext([found])))
    fix = next(a for a in actions if "弯引号" in a.title)
    assert applied(broken, fix.edit.changes[uri]) == TEXT


async def test_diagnostics_follow_an_edit(client):
    uri = await opened(client, TEXT)
    assert codes(client, uri) == []
    at = where(TEXT, "20分 {", "指标 企业职工养老保险新增参保人数", 2)  # 20分 -> 20 : W204
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        t.VersionedTextDocumentIdentifier(uri=uri, version=next(VERSIONS)),
        [t.TextDocumentContentChangePartial(range=t.Range(at, t.Position(at.line, at.character + 1)), text="")]))
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert codes(client, uri) == [("W204", at.line)]


async def test_missing_points_unit_and_an_unquoted_label_are_fixed(client):
    broken = TEXT.replace("指标 企业职工养老保险新增参保人数 20分 {", "指标 企业职工养老保险新增参保人数 20 {", 1) \
        .replace('口径 "任务为附件1 其中：居保转企保。"', "口径 任务为附件1 其中：居保转企保。", 1)
    uri = await opened(client, broken)
    found = client.diagnostics[uri]
    assert [d.code for d in found] == ["E102", "W204"]  # the item with the unquoted label left out, the rest checked
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        t.TextDocumentIdentifier(uri), found[0].range, t.CodeActionContext(found)))
    quoted = applied(broken, next(a for a in actions if a.title == "加上引号").edit.changes[uri])
    uri = await opened(client, quoted)
    (warning,) = client.diagnostics[uri]
    assert warning.code == "W204" and warning.severity == t.DiagnosticSeverity.Warning
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        t.TextDocumentIdentifier(uri), warning.range, t.CodeActionContext([warning])))
    assert applied(quoted, next(a for a in actions if a.title == "加上 分").edit.changes[uri]) == TEXT


# ---- hover ------------------------------------------------------------------------------
async def hover(client, uri, position) -> str:
    found = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(uri), position))
    return found.contents.value if found else ""


async def test_hover_on_an_item_gives_points_rule_source_reading_and_the_units_score(client):
    uri = await opened(client, TEXT)
    text = await hover(client, uri, where(TEXT, "企业职工养老保险新增参保人数", "指标 企业职工", 3))
    assert "**指标 企业职工养老保险新增参保人数** 20分" in text
    assert "规则：按比例得分：满分 × min(比率, 1)，未达 70% 不得分" in text
    assert "原文：①企业职工养老保险新增参保人数（20分）" in text and "口径：任务为附件1" in text
    score = unit_scores()["企业职工养老保险新增参保人数"]
    assert f"**丁堰镇**：{score}" in text


async def test_hover_on_an_item_while_the_scheme_does_not_parse_gives_the_rule_as_written(client):
    broken = TEXT.replace("按比例 实际 / 任务\n      别名 \"居民养老保险参保缴费人数\"", "按比例 实际 / / 任务\n      别名 \"居民养老保险参保缴费人数\"", 1)
    uri = await opened(client, broken)
    text = await hover(client, uri, where(broken, "企业职工养老保险新增参保人数", "指标 企业职工", 3))
    assert "规则：按比例 `按比例 实际 / 任务 未达 70% 不得分`" in text and "原文：" in text and "丁堰镇" not in text


async def test_hover_on_a_field_gives_its_values_across_units(client):
    uri = await opened(client, TEXT)
    text = await hover(client, uri, where(TEXT, "实际", "指标 企业职工养老保险新增参保人数"))
    assert "企业职工养老保险新增参保人数.实际" in text
    assert "单位 14，缺失 0" in text and "最小" in text and "中位数" in text and "最大" in text
    assert "- 丁堰镇：" in text


async def test_hover_on_a_measure_gives_its_definition_and_values(client):
    uri = await opened(client, TEXT)
    text = await hover(client, uri, where(TEXT, "高档缴费比", "排名 降序 按 高档缴费比"))
    assert "**计算 高档缴费比** = 居民养老保险缴费人数.高档缴费人数 / 居民养老保险缴费人数.任务" in text
    assert "单位 14" in text and "- 丁堰镇：" in text


async def test_hover_on_a_group_and_a_unit_the_scheme_names(client):
    uri = await opened(client, TEXT)
    group = await hover(client, uri, where(TEXT, "镇", "要求 适用 镇"))
    assert group.startswith("**分组 镇**：") and "丁堰镇" in group
    unit = await hover(client, uri, where(TEXT, "长江镇", "要求 适用 长江镇"))
    assert unit.startswith("**长江镇") and "总分" in unit and "名次" in unit


async def test_hover_on_a_keyword_gives_its_meaning_and_twin(client):
    uri = await opened(client, TEXT)
    text = await hover(client, uri, where(TEXT, "按比例"))
    assert text.startswith("**按比例** / `proportional`") and "满分 × min(比率, 1)" in text


# ---- completion -------------------------------------------------------------------------
async def labels(client, uri, position) -> set[str]:
    found = await client.text_document_completion_async(t.CompletionParams(t.TextDocumentIdentifier(uri), position))
    return {item.label for item in found.items}


async def test_completion_offers_keywords_names_fields_units_and_groups(client):
    uri = await opened(client, TEXT)
    offered = await labels(client, uri, where(TEXT, "按比例 实际 / 任务 未达", "指标 企业职工养老保险新增参保人数"))
    assert {"按比例", "排名", "企业职工养老保险新增参保人数", "高档缴费比", "劳务基地要求", "主功能区", "丁堰镇", "分", "%"} <= offered
    assert "proportional" not in offered  # keywords in the file's language


async def test_completion_after_a_dot_offers_that_items_fields(client):
    text = TEXT.replace("计算 高档缴费比 = 居民养老保险缴费人数.高档缴费人数", "计算 高档缴费比 = 居民养老保险缴费人数.", 1)
    await opened(client, TEXT)  # the data as last read gives the fields while the scheme does not parse
    uri = await opened(client, text)
    offered = await labels(client, uri, where(text, "居民养老保险缴费人数.", "计算 高档缴费比", len("居民养老保险缴费人数.")))
    assert {"高档缴费人数", "完成率", "实际", "任务"} <= offered


async def test_completion_in_an_english_scheme_offers_english_keywords(client, tmp_path):
    scheme, source = read_scheme(RUGAO)
    english = format_scheme(scheme, source, "en")
    uri = await opened(client, english)
    offered = await labels(client, uri, t.Position(0, 0))
    assert {"proportional", "section", "rank"} <= offered and "按比例" not in offered
    assert codes(client, uri) == []


# ---- names ------------------------------------------------------------------------------
async def test_definition_references_and_rename_of_an_item(client):
    uri = await opened(client, TEXT)
    use = where(TEXT, "企业职工养老保险新增参保人数.完成率", "指标 参保位次考核")
    found = await client.text_document_definition_async(t.DefinitionParams(t.TextDocumentIdentifier(uri), use))
    assert found.range.start == where(TEXT, "企业职工养老保险新增参保人数", "指标 企业职工")
    refs = await client.text_document_references_async(t.ReferenceParams(
        text_document=t.TextDocumentIdentifier(uri), position=use, context=t.ReferenceContext(include_declaration=True)))
    lines = {ref.range.start.line for ref in refs}
    assert {found.range.start.line, use.line, use.line + 1} <= lines  # the item, the rank's key and eligibility
    assert where(TEXT, "企业职工养老保险新增参保人数.任务", "示例 ").line in lines  # an example's figure
    edit = await client.text_document_rename_async(t.RenameParams(t.TextDocumentIdentifier(uri), use, "新增参保"))
    renamed = applied(TEXT, edit.changes[uri])
    assert renamed.count("新增参保.完成率") == TEXT.count("企业职工养老保险新增参保人数.完成率") and "指标 新增参保 20分" in renamed
    uri = await opened(client, TEXT)
    use = where(TEXT, "高档缴费比", "排名 降序 按 高档缴费比")
    edit = await client.text_document_rename_async(t.RenameParams(t.TextDocumentIdentifier(uri), use, "高档比"))
    renamed = applied(TEXT, edit.changes[uri])
    assert "计算 高档比 = " in renamed and "排名 降序 按 高档比 " in renamed
    uri = await opened(client, renamed)
    assert codes(client, uri) == []
    taken = await client.text_document_rename_async(t.RenameParams(
        t.TextDocumentIdentifier(uri), where(renamed, "高档比", "排名 降序 按 "), "劳务基地要求"))
    assert taken is None  # the name of a constant already: no E204 made
    lit = await client.text_document_document_highlight_async(t.DocumentHighlightParams(
        t.TextDocumentIdentifier(uri), where(renamed, "高档比", "排名 降序 按 ")))
    assert len(lit) == renamed.count("高档比")


async def test_definition_of_a_measure_and_a_constant(client):
    uri = await opened(client, TEXT)
    for name, use_after in (("高档缴费比", "排名 降序 按 高档缴费比"), ("劳务基地要求", "每 1家 (")):
        use = where(TEXT, name, use_after)
        found = await client.text_document_definition_async(t.DefinitionParams(t.TextDocumentIdentifier(uri), use))
        assert found.range.start.line == where(TEXT, f" {name} =").line


async def test_document_symbols_are_the_outline_with_points(client):
    uri = await opened(client, TEXT)
    found = await client.text_document_document_symbol_async(t.DocumentSymbolParams(t.TextDocumentIdentifier(uri)))
    top = {s.name: s for s in found}
    assert top["社会保险工作"].detail.startswith("100分")
    child = top["社会保险工作"].children[0].children[0]
    assert (child.name, child.detail) == ("企业职工养老保险新增参保人数", "20分  按比例")
    assert child.range.end.line == where(TEXT, "}", "指标 企业职工养老保险新增参保人数").line


async def test_folding_ranges_cover_blocks_and_comment_runs(client):
    uri = await opened(client, TEXT)
    found = await client.text_document_folding_range_async(t.FoldingRangeParams(t.TextDocumentIdentifier(uri)))
    spans = {(f.start_line, f.end_line, f.kind) for f in found}
    section = where(TEXT, "板块 社会保险工作")
    assert any(start == section.line for start, _, _ in spans)
    assert (0, 4, t.FoldingRangeKind.Comment) in spans


# ---- formatting -------------------------------------------------------------------------
async def test_formatting_is_kpi_fmt_for_the_document_and_a_range(client):
    messy = TEXT.replace("    指标 企业职工养老保险新增参保人数 20分 {\n      按比例", "指标   企业职工养老保险新增参保人数 20分 {\n按比例", 1) \
        .replace("    指标 缴费标准位次考核 10分 {", "  指标 缴费标准位次考核 10分 {", 1)
    uri = await opened(client, messy)
    edits = await client.text_document_formatting_async(t.DocumentFormattingParams(
        t.TextDocumentIdentifier(uri), t.FormattingOptions(2, True)))
    assert applied(messy, edits) == TEXT
    first = where(messy, "指标   企业职工")
    edits = await client.text_document_range_formatting_async(t.DocumentRangeFormattingParams(
        t.TextDocumentIdentifier(uri), t.Range(first, t.Position(first.line + 1, 0)), t.FormattingOptions(2, True)))
    partly = applied(messy, edits)
    assert "    指标 企业职工养老保险新增参保人数 20分 {\n      按比例" in partly and "  指标 缴费标准位次考核" in partly


# ---- code lens and inlay hints ----------------------------------------------------------
async def test_code_lens_runs_each_example(client):
    path = SCHEMES / "rugao-2018.kpi"
    text = path.read_text(encoding="utf-8")
    uri = await opened(client, text, path)
    lenses = await client.text_document_code_lens_async(t.CodeLensParams(t.TextDocumentIdentifier(uri)))
    assert lenses and all(lens.command.title.startswith("✓") for lens in lenses)
    assert lenses[0].range.start.line == where(text, "示例 ").line
    wrong = text.replace("期望 甲镇.技能提升培训 = 6分", "期望 甲镇.技能提升培训 = 7分", 1)
    assert wrong != text
    uri = await opened(client, wrong, path)
    lenses = await client.text_document_code_lens_async(t.CodeLensParams(t.TextDocumentIdentifier(uri)))
    assert lenses[0].command.title == "✗ 甲镇.技能提升培训 期望 7分，实得 6分"


def unit_scores(unit: str = "丁堰镇") -> dict[str, str]:
    """Each item's and section's score for a unit, as `kpi explain` gives it."""
    from kpidsl.numbers import plain

    loaded = load_all(RUGAO)
    evaluation = loaded.evaluation
    i = [u.name for u in evaluation.engine.data.units].index(unit)
    return {n.path[-1]: f"{plain(n.score)} / {plain(n.max)}" for n in evaluation.scoring.unit(i).nodes()}


async def test_inlay_hints_show_the_chosen_units_score_on_each_item(client):
    uri = await opened(client, TEXT)
    lines = TEXT.split("\n")
    found = await client.text_document_inlay_hint_async(t.InlayHintParams(
        t.TextDocumentIdentifier(uri), t.Range(t.Position(0, 0), t.Position(len(lines), 0))))
    shown = {lines[h.position.line].split()[1]: h.label for h in found}
    scores = unit_scores()
    assert shown["企业职工养老保险新增参保人数"] == f"丁堰镇 {scores['企业职工养老保险新增参保人数']}"
    assert len(shown) == len(scores) and all(label == f"丁堰镇 {scores[name]}" for name, label in shown.items())
    assert Decimal(scores["社会保险工作"].split(" / ")[0]) <= 100


async def test_inlay_hints_follow_the_unit_setting(client):
    uri = await opened(client, TEXT)
    client.workspace_did_change_configuration(t.DidChangeConfigurationParams({"kpidsl": {"unit": "白蒲镇"}}))
    lines = TEXT.split("\n")
    found = await client.text_document_inlay_hint_async(t.InlayHintParams(
        t.TextDocumentIdentifier(uri), t.Range(t.Position(0, 0), t.Position(len(lines), 0))))
    client.workspace_did_change_configuration(t.DidChangeConfigurationParams({"kpidsl": {"unit": "丁堰镇"}}))
    assert found and all(h.label.startswith("白蒲镇 ") for h in found)


async def test_hover_on_a_section_gives_its_points_and_the_units_score(client):
    uri = await opened(client, TEXT)
    text = await hover(client, uri, where(TEXT, "社会保险工作", "板块 "))
    assert text.startswith("**板块 社会保险工作** 100分")
    assert "计入总分 × 0.6" in text and f"**丁堰镇**：{unit_scores()['社会保险工作']}" in text


async def test_an_english_scheme_is_answered_in_english(client):
    scheme, source = read_scheme(RUGAO)
    english = format_scheme(scheme, source, "en")
    broken = english.replace("proportional actual / target below 70% zero", "proportional actual / / target below 70% zero", 1)
    assert broken != english
    uri = await opened(client, broken)
    (found,) = client.diagnostics[uri]
    assert found.code == "E102" and found.message.startswith("unexpected '/'")
    text = await hover(client, uri, where(broken, "proportional"))
    assert text == "**按比例** / `proportional`\n\npoints × min(ratio, 1); the ratio defaults to actual / target"


# ---- bad input: every request answered, none an error ----------------------------------
def cuts():
    """The bundled scheme cut short, a brace gone, an item's points bare, a stray quote."""
    yield TEXT[: len(TEXT) // 3]
    yield TEXT[: TEXT.index("{") + 1]
    yield TEXT.replace("}", "", 5)
    yield TEXT.replace('原文 "', '原文 “', 1)
    yield "指标"
    yield ""


@pytest.mark.parametrize("text", list(cuts()))
async def test_every_request_on_a_broken_scheme_is_answered(client, text):
    uri = await opened(client, text)
    doc = t.TextDocumentIdentifier(uri)
    lines = text.split("\n")
    whole = t.Range(t.Position(0, 0), t.Position(len(lines), 0))
    for line in range(0, len(lines), max(1, len(lines) // 10)):
        at = t.Position(line, min(len(lines[line]), 6))
        await client.text_document_hover_async(t.HoverParams(doc, at))
        await client.text_document_completion_async(t.CompletionParams(doc, at))
        await client.text_document_definition_async(t.DefinitionParams(doc, at))
        await client.text_document_code_action_async(t.CodeActionParams(doc, t.Range(at, at), t.CodeActionContext([])))
    await client.text_document_document_symbol_async(t.DocumentSymbolParams(doc))
    await client.text_document_folding_range_async(t.FoldingRangeParams(doc))
    await client.text_document_formatting_async(t.DocumentFormattingParams(doc, t.FormattingOptions(2, True)))
    await client.text_document_code_lens_async(t.CodeLensParams(doc))
    await client.text_document_inlay_hint_async(t.InlayHintParams(doc, whole))
    assert text == "" or client.diagnostics[uri]  # what is wrong is said


async def test_scores_follow_a_data_file_changed_on_disk(client, tmp_path):
    import shutil

    shutil.copytree(SCHEMES / "rugao-2021", tmp_path / "rugao-2021")
    path = tmp_path / "rugao-2021.kpi"
    path.write_text(TEXT, encoding="utf-8")
    uri = await opened(client, TEXT, path)
    line = where(TEXT, "指标 企业职工养老保险新增参保人数").line
    ask = t.InlayHintParams(t.TextDocumentIdentifier(uri), t.Range(t.Position(line, 0), t.Position(line + 1, 0)))
    (before,) = await client.text_document_inlay_hint_async(ask)
    actuals = tmp_path / "rugao-2021" / "actuals-sample.csv"
    actuals.write_text(actuals.read_text(encoding="utf-8").replace("丁堰镇,企业职工养老保险新增参保人数,实际,650,",
                                                                     "丁堰镇,企业职工养老保险新增参保人数,实际,737,"),
                       encoding="utf-8")
    (after,) = await client.text_document_inlay_hint_async(ask)
    assert (before.label, after.label) == ("丁堰镇 17.64 / 20", "丁堰镇 20 / 20")


async def test_an_unknown_item_name_gets_its_did_you_mean(client):
    broken = TEXT.replace("仅限 企业职工养老保险新增参保人数.完成率", "仅限 企业职工养老保险新增参保人.完成率", 1)
    uri = await opened(client, broken)
    (found,) = client.diagnostics[uri]
    assert found.code == "E201" and found.range.start == where(broken, "企业职工养老保险新增参保人.完成率")
    actions = await client.text_document_code_action_async(t.CodeActionParams(
        t.TextDocumentIdentifier(uri), found.range, t.CodeActionContext([found])))
    assert applied(broken, next(a for a in actions if a.title == "改为 企业职工养老保险新增参保人数").edit.changes[uri]) == TEXT
