import pytest

from microwork.lib.errors import ApplicationError
from microwork.lib.registry import plugin


class First:
    pass


class Second:
    pass


HERE = __name__


def test_a_key_gives_one_instance_of_its_plug_in():
    registry = {"a": f"{HERE}.First"}
    one = plugin(registry, "a", unknown="%(key)s", code="unknown", field="kind")
    assert isinstance(one, First)
    assert plugin(registry, "a", unknown="%(key)s", code="unknown", field="kind") is one


def test_an_entry_replaced_at_run_time_is_picked_up():
    registry = {"a": f"{HERE}.First"}
    plugin(registry, "a", unknown="%(key)s", code="unknown", field="kind")
    registry["a"] = f"{HERE}.Second"
    assert isinstance(plugin(registry, "a", unknown="", code="unknown", field="kind"), Second)


def test_an_unknown_key_is_refused_naming_the_field_and_the_choices():
    registry = {"b": f"{HERE}.First", "a": f"{HERE}.Second"}
    with pytest.raises(ApplicationError) as exc:
        plugin(registry, "zz", unknown="No %(key)s; use %(keys)s.", code="unknown_x", field="kind")
    assert exc.value.field == "kind" and exc.value.code == "unknown_x"
    assert exc.value.message == "No zz; use a, b."
