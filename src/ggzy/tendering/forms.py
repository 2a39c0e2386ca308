"""Forms of the tendering console pages. They only collect input: the services validate it."""

from __future__ import annotations

from django import forms

from ggzy.core.errors import DomainError


class DocumentPublishForm(forms.Form):
    """Publish a tender document of a lot: its name and the file (the service checks both)."""

    name = forms.CharField(label="文件名称", max_length=200, required=False, initial="招标文件")
    file = forms.FileField(label="文件", required=False)

    def __init__(self, *args, max_size: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_size = max_size
        self.fields["file"].help_text = f"不超过{max_size >> 20}MB；平台对文件的SM3摘要签名后公开"

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if f is None:
            raise forms.ValidationError("请选择要发布的文件", code="document.empty")
        if f.size > self.max_size:  # refused before the body is read into memory
            raise forms.ValidationError(f"文件不能超过{self.max_size >> 20}MB", code="document.too_large")
        return f

    def show_error(self, exc: DomainError) -> None:
        """Put the service's errors next to the fields they name (others at the top)."""
        for e in exc.errors or [exc]:
            field = getattr(e, "field", None) or ""
            self.add_error(field if field in self.fields else None, e.message)
