import pytest

from tests.factories import make_user


@pytest.fixture
def crew(db):
    return {
        "foreman": make_user("foreman", name="陈强"),
        "technician": make_user("technician", name="赵刚"),
        "inspector": make_user("inspector", name="郭明"),
        "advisor": make_user("advisor", name="王芳"),
    }
