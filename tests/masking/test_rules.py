"""The local rules file: read, and refused with the file, the entry and the field named."""
import subprocess
import sys

import pytest

from viewer.masking.errors import MaskingError
from viewer.masking.rules import load


def write(tmp_path, text):
    path = tmp_path / "masking.toml"
    path.write_text(text)
    return path


def test_rules_are_read_by_resource(tmp_path):
    found = load(write(tmp_path, '[[mask]]\nresource = "kobject.order"\nattribute = "custom.shippingAddressStr"\n'
                                 'mode = "full"\n\n[[mask]]\nresource = "customer"\nattribute = "emails"\nmode = "partial"\n'))
    assert found["kobject.order"].custom == {"shippingAddressStr": "full"}
    assert found["customer"].standard == {"emails": "partial"}


@pytest.mark.parametrize("text,message", [
    ('[[mask]]\nresource = "customer"\nattribute = "emails"\nmode = "half"\n', "mask entry 1: mode: must be"),
    (('[[mask]]\nresource = "customer"\nattribute = "emails"\nmode = "full"\n[[mask]]\nresource = "order"\n'
     'attribute = "x"\nmode = "full"\n'), "mask entry 2: resource: 'order' is not one of"),
    ('[[mask]]\nresource = "customer"\nmode = "full"\n', "mask entry 1: attribute: missing"),
    ('[[mask]]\nresource = "customer"\nattribute = "emails"\nmode = "full"\nmodes = "x"\n',
     "mask entry 1: unknown field 'modes'"),
    ('[[mask]\n', "not valid TOML"),
    ('[rules]\n', "unknown table or key 'rules'"),
])
def test_bad_files_name_the_file_entry_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(MaskingError) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


def test_the_viewer_refuses_a_bad_file_at_start(tmp_path):
    path = write(tmp_path, '[[mask]]\nresource = "customer"\nattribute = "emails"\nmode = "half"\n')
    done = subprocess.run([sys.executable, "-m", "viewer", "--masking", str(path), "--db", str(tmp_path / "v.db"),
                           "--port", "1"], check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: {path}: mask entry 1: mode: must be \"partial\" or \"full\", not 'half'."
