"""How tests/files/baqiao_2022.xls was made (xlwt 1.3.0, not a project dependency):

    pip install --target /tmp/xlwtlib xlwt==1.3.0 && PYTHONPATH=/tmp/xlwtlib python tests/files/make_xls.py
"""

from pathlib import Path

import xlwt

book = xlwt.Workbook(encoding="utf-8")
sheet = book.add_sheet("2022年")
sheet.write_merge(0, 0, 0, 3, "八桥镇2022年村级集体经济收益分配表")
sheet.write(1, 0, "单位：万元")
for col, text in enumerate(["村名", "经营收入", "投资收益", "管理费用"]):
    sheet.write(2, col, text)
for col, value in enumerate(["长胜村", 100, 50, 10]):
    sheet.write(3, col, value)
for col, value in enumerate(["合计", 100, 50, 10]):
    sheet.write(4, col, value)
book.save(str(Path(__file__).with_name("baqiao_2022.xls")))
