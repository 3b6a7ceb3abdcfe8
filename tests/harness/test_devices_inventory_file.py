"""A hand-edited or cloned inventory file gets the same checks as `benchctl devices add`."""

from __future__ import annotations

import pytest

from benchctl.errors import ConfigError
from benchctl.harness.devices import get_device, project_inventory_path


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[devices."../../x"]\ntransport = "ssh"\naddress = "pi@board"\n', "device name"),
        ('[devices.host]\ntransport = "ssh"\naddress = "pi@elsewhere"\n', "built in"),
        ('[devices.pi]\ntransport = "ssh"\naddress = "pi@board; rm -rf /"\n', "user@host"),
        ('[devices.pi]\ntransport = "ssh"\naddress = 22\n', "must be a string"),
        ('[devices.pi]\ntransport = "telnet"\naddress = "pi"\n', "transport 'telnet'"),
    ],
)
def test_bad_inventory_entries_are_refused_with_the_file_named(table, message):
    path = project_inventory_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(table)
    with pytest.raises(ConfigError, match=message) as exc:
        get_device("host")
    assert str(path) in str(exc.value)
