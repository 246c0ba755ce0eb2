"""The same report written with python-docx, for the export benchmark (benches/export.rs).

Reads the draft's paragraphs as JSON from the file named by argv[1], builds the document with
the same page setup, fonts, sizes, indents and exact line spacing (python-docx has no API for
odd and even footers with a PAGE field, so those are left out), saves it to memory, and prints
the mean time per document in milliseconds as JSON. Interpreter start and import are not timed.
"""
import io
import json
import sys
import time

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

FACES = {0: ("方正小标宋简体", 22), 1: ("黑体", 16), 2: ("楷体_GB2312", 16), 3: ("仿宋_GB2312", 16), 4: ("仿宋_GB2312", 16)}


def face(run, east_asia, size, bold=False):
    run.font.name = "Times New Roman"
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def build(draft):
    doc = Document()
    s = doc.sections[0]
    s.page_width, s.page_height = Twips(11906), Twips(16838)
    s.top_margin, s.bottom_margin = Twips(2098), Twips(1984)
    s.left_margin, s.right_margin = Twips(1588), Twips(1474)
    for para in draft["paragraphs"]:
        kind, level = para["kind"], para["level"]
        p = doc.add_paragraph()
        f = p.paragraph_format
        f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        f.line_spacing = Pt(28)
        f.space_before = f.space_after = Pt(0)
        if kind == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            font, size = FACES[0]
        elif kind == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            f.right_indent = Twips(640)
            font, size = FACES[4]
        else:
            f.first_line_indent = Twips(640)
            font, size = FACES[level]
        for text, blank in para["runs"]:
            run = p.add_run(text)
            face(run, font, size, bold=(level == 3))
            if blank:
                run.font.highlight_color = 7  # yellow
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        draft = json.load(f)
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    size = len(build(draft))
    t = time.perf_counter()
    for _ in range(runs):
        build(draft)
    per = (time.perf_counter() - t) / runs
    print(json.dumps({"ms": per * 1e3, "bytes": size}))


main()
