"""The app's own import template ("Tải mẫu Excel"): the export's headers, an example household
with three members, drop-down lists for the coded columns and a sheet explaining every code.

The example household's code starts with "VD-" (excel_reader.EXAMPLE_CODE_PREFIX): the reader
skips such households with a warning, so importing the template as-is never adds the example."""

from __future__ import annotations

from pathlib import Path

from ..core import model
from ..core.errors import AppError
from .excel_export import COLUMNS, HEADERS, WIDTHS

EXAMPLE = [
    [1, "VD-001", None, "Thôn 1", "Số 12, ngõ 3", "Hộ cận nghèo", None, 4500000, 45,
     "Nguyễn Văn An", "Chủ hộ", "15/04/1978", "Nam", "001078012345", "Kinh", "Trung học cơ sở", "Không",
     "Làm công ăn lương không có hợp đồng", "Có", "Không"],
    [1, None, None, None, None, None, None, None, None,
     "Trần Thị Bích", "Vợ/Chồng", "02/09/1981", "Nữ", "001181023456", "Kinh", "Trung học phổ thông", "Không",
     "Tự làm (nông nghiệp, kinh doanh)", "Có", "Không"],
    [1, None, None, None, None, None, None, None, None,
     "Nguyễn Minh Châu", "Con", "20/11/2012", "Nữ", None, "Kinh", "Tiểu học", "Có", "Đi học", "Có", "Không"],
]

NOTES = [
    "Cách dùng mẫu nhập danh sách hộ",
    "",
    "• Mỗi dòng là một người. Dòng đầu của mỗi hộ là chủ hộ; các thành viên ghi ở các dòng ngay dưới.",
    "• Cột 'STT hộ' (hoặc 'Mã hộ') ghi cùng một số cho mọi người trong hộ; có thể để trống ở dòng thành viên.",
    "• Các cột của hộ (mã hộ, thôn/tổ, địa chỉ, phân loại…) chỉ cần ghi ở dòng chủ hộ.",
    "• Ngày sinh ghi dd/mm/yyyy (ví dụ 15/04/1978); nếu chỉ biết năm sinh thì ghi năm (1978).",
    "• Số CCCD ghi đủ 12 chữ số. Nên định dạng cột là Văn bản (Text) để Excel không làm mất số 0 ở đầu.",
    "• 'Mã đơn vị' để trống thì dùng đơn vị chọn khi nhập.",
    "• 'Mã hộ' để trống thì phần mềm tự sinh mã: <mã đơn vị>-<số thôn>-<số thứ tự 4 chữ số>.",
    "• Một số CCCD là một người: nếu số đã có ở hộ khác mà vẫn cần giữ, thêm cột 'Lý do trùng CCCD' và ghi lý do.",
    "• 3 dòng chữ nghiêng màu xám (hộ VD-001) là ví dụ. Hộ có mã bắt đầu bằng 'VD-' không bao giờ được "
    "nhập (chương trình báo 'Bỏ qua hộ ví dụ của tệp mẫu'); có thể xóa các dòng này hoặc để nguyên.",
    "• Nhập thử trước (kiểm tra): chương trình liệt kê lỗi theo từng dòng và có thể lưu bảng lỗi để sửa.",
    "",
]


def _code_table(title: str, mapping: dict[str, str]) -> list[list[str]]:
    return [[title, ""], *[[label, code] for code, label in mapping.items()], ["", ""]]


def write_template(path: Path | str) -> Path:
    """Write the import template workbook to ``path`` and return the path."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh sách hộ"
    ws.append(HEADERS)
    fill = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
    for index, header in enumerate(HEADERS, start=1):
        cell = ws.cell(1, index)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS.get(header, 11)
    example_font = Font(italic=True, color="808080")
    for row in EXAMPLE:
        ws.append(row)
        for cell in ws[ws.max_row]:
            cell.font = example_font
    ws.cell(2, 2).comment = Comment("Hộ ví dụ: mã hộ bắt đầu bằng 'VD-' nên không được nhập. "
                                    "Ghi các hộ thật từ dòng 5 trở đi (hoặc xóa 3 dòng ví dụ).", "Cận Nghèo")
    ws.freeze_panes = "A2"
    column = {field: get_column_letter(i) for i, (_h, field, _hh, _f) in enumerate(COLUMNS, start=1)}
    for cell in ws[column["cccd"]]:
        cell.number_format = "@"  # text: keeps leading zeros of typed CCCD numbers

    notes = wb.create_sheet("Hướng dẫn")
    for line in NOTES:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=13)
    lists: dict[str, str] = {}
    for field, title, mapping in (("relation", "Quan hệ với chủ hộ", model.RELATIONS),
                                  ("sex", "Giới tính", model.SEXES),
                                  ("category", "Phân loại", model.CATEGORY_LABELS),
                                  ("education_level", "Trình độ học vấn", model.EDUCATION_LEVELS),
                                  ("employment", "Việc làm", model.EMPLOYMENT)):
        first = notes.max_row + 1
        for row in _code_table(title, mapping):
            notes.append(row)
        notes.cell(first, 1).font = Font(bold=True)
        lists[field] = f"'Hướng dẫn'!$A${first + 1}:$A${first + len(mapping)}"
    notes.append(["Có / Không", "Các cột Hộ có công, Đang đi học, Thẻ BHYT, Khuyết tật: ghi 'Có' hoặc 'Không'"])
    notes.column_dimensions["A"].width = 45
    notes.column_dimensions["B"].width = 20

    for field, formula in lists.items():
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                            errorTitle="Giá trị không hợp lệ", error="Hãy chọn một giá trị trong danh sách.")
        ws.add_data_validation(dv)
        dv.add(f"{column[field]}2:{column[field]}5000")
    yes_no = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True)
    ws.add_data_validation(yes_no)
    for field in ("is_merit", "in_school", "has_health_insurance", "disabled"):
        yes_no.add(f"{column[field]}2:{column[field]}5000")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    except OSError as exc:
        raise AppError(f"Không ghi được tệp mẫu '{out}': {exc.strerror or exc}. Hãy chọn thư mục khác hoặc "
                       "đóng tệp nếu đang mở trong Excel.", detail=str(exc)) from exc
    return out
