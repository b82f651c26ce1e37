"""Bad input on every endpoint: a 4xx that names the field, never a 500 or a hang."""

import asyncio

import pytest

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}
PAUSED_JOB = {"iterations": 20_000, "grid": 10, "start_paused": True}


async def post(client, url, text, headers=JSON):
    return await client.post(url, content=text, headers=headers)


async def paused_job(client):
    job = (await client.post("/api/jobs", json=PAUSED_JOB)).json()
    while job["status"] != "paused":
        await asyncio.sleep(0.01)
        job = (await client.get(f"/api/jobs/{job['id']}")).json()
    return job


def the_error(response, field):
    """The one error about `field`, checking the response names it and is JSON."""
    assert response.status_code == 422, response.text
    errors = [e for e in response.json()["detail"] if e["loc"][1:2] == [field]]
    assert errors, response.json()
    return errors[0]


@pytest.mark.parametrize(
    "text, field, echoed",
    [
        ('{"learning_rate": NaN}', "learning_rate", "NaN"),
        ('{"learning_rate": Infinity}', "learning_rate", "Infinity"),
        ('{"noise": -Infinity}', "noise", "-Infinity"),
        ('{"speed": 1e400}', "speed", "Infinity"),
        ('{"test_fraction": NaN}', "test_fraction", "NaN"),
        ('{"hidden_layers": [NaN]}', "hidden_layers", "NaN"),
    ],
)
async def test_nan_and_infinity_in_a_new_job_are_422_naming_the_field(client, text, field, echoed):
    error = the_error(await post(client, "/api/jobs", text), field)
    assert error["input"] == echoed
    assert (await client.get("/api/jobs")).json() == []


@pytest.mark.parametrize(
    "text, field",
    [
        ('{"action": "set", "learning_rate": NaN}', "learning_rate"),
        ('{"action": "set", "speed": Infinity}', "speed"),
        ('{"action": "step", "steps": Infinity}', "steps"),
        ('{"action": "step", "steps": 1e400}', "steps"),
    ],
)
async def test_nan_and_infinity_in_a_command_are_422_naming_the_field(client, text, field):
    job = await paused_job(client)
    the_error(await post(client, f"/api/jobs/{job['id']}/control", text), field)
    assert (await client.get(f"/api/jobs/{job['id']}")).json()["status"] == "paused"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"iterations": True}, "iterations"),
        ({"iterations": "100"}, "iterations"),
        ({"hidden_layers": [True]}, "hidden_layers"),
        ({"hidden_layers": ["4"]}, "hidden_layers"),
        ({"speed": "fast"}, "speed"),
        ({"learning_rate": False}, "learning_rate"),
        ({"start_paused": 1}, "start_paused"),
        ({"start_paused": "yes"}, "start_paused"),
        ({"n_samples": None, "dataset": None}, "dataset"),
        ({"hidden_layers": None}, "hidden_layers"),
    ],
)
async def test_wrong_types_are_refused_not_guessed(client, body, field):
    the_error(await client.post("/api/jobs", json=body), field)
    assert (await client.get("/api/jobs")).json() == []


async def test_a_whole_number_written_as_a_float_is_still_that_number(client):
    response = await client.post("/api/jobs", json={**PAUSED_JOB, "iterations": 1e4})
    assert response.status_code == 201 and response.json()["config"]["iterations"] == 10_000


async def test_a_command_with_true_for_steps_is_refused(client):
    job = await paused_job(client)
    url = f"/api/jobs/{job['id']}/control"
    the_error(await client.post(url, json={"action": "step", "steps": True}), "steps")


@pytest.mark.parametrize(
    "text, says",
    [
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ('{"hidden_layers": ' + "[" * 3000 + "]" * 3000 + "}", "nested too deeply"),
        ('{"iterations": ' + "9" * 5000 + "}", "too many digits"),
        ('{"dataset": "\xff"}'.encode("latin-1"), "utf-8"),
    ],
)
async def test_a_body_that_cannot_be_read_is_422_about_the_body(client, text, says):
    response = await post(client, "/api/jobs", text)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body"] and says in error["msg"]


async def test_deep_json_is_echoed_only_a_few_levels_deep(client):
    text = '{"a":' * 500 + "1" + "}" * 500
    response = await post(client, "/api/jobs", text)
    assert response.status_code == 422 and len(response.text) < 1000


@pytest.mark.parametrize(
    "text, content_type",
    [("{}", "text/plain"), ("a=1", "application/x-www-form-urlencoded"), ("{}", "image/png")],
)
async def test_a_body_not_sent_as_json_is_415(client, text, content_type):
    response = await post(client, "/api/jobs", text, {"content-type": content_type})
    assert response.status_code == 415 and "application/json" in response.json()["detail"]


async def test_a_body_sent_without_a_content_type_is_415_not_a_puzzling_422(client):
    response = await post(client, "/api/jobs", "{}", headers={})
    assert response.status_code == 415 and "application/json" in response.json()["detail"]
    assert (await client.get("/api/jobs")).json() == []


async def test_a_missing_body_says_so(client):
    for url in ("/api/jobs", f"/api/jobs/{(await paused_job(client))['id']}/control"):
        response = await post(client, url, "")
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == "The body is missing: send a JSON object."


async def test_long_values_are_written_back_short(client):
    response = await client.post("/api/jobs", json={"dataset": "x" * 10_000, "pad": [1] * 3000})
    assert response.status_code == 422 and len(response.text) < 2000
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "dataset"),
        ("body", "pad"),
    }
    response = await client.get("/api/datasets/" + "y" * 5000)
    assert response.status_code == 404 and len(response.text) < 300


@pytest.mark.parametrize("job_id", ["%F0%9F%98%80", "a" * 5000, "%00", "%FF%FE", "..%2F.."])
async def test_odd_ids_are_404(client, job_id):
    for method, suffix in [
        ("GET", ""),
        ("DELETE", ""),
        ("POST", "/control"),
        ("POST", "/gradcheck"),
    ]:
        body = {"action": "pause"} if suffix == "/control" else None
        response = await client.request(method, f"/api/jobs/{job_id}{suffix}", json=body)
        assert response.status_code == 404, (method, suffix, response.text)


async def test_a_setting_the_engine_refuses_names_its_field(client):
    response = await client.post("/api/jobs", json={"n_samples": 3, "test_fraction": 0.9})
    assert the_error(response, "test_fraction")["msg"].startswith("test_fraction")
    response = await client.get("/api/datasets/blobs?n_samples=3&test_fraction=0.9")
    assert the_error(response, "test_fraction")


@pytest.mark.parametrize(
    "query", ["noise=nan", "noise=inf", "test_fraction=NaN", "seed=-1", "n_samples=1e3"]
)
async def test_bad_preview_queries_are_422_naming_the_parameter(client, query):
    response = await client.get(f"/api/datasets/flower?{query}")
    the_error(response, query.split("=")[0])


async def test_the_api_schema_lists_the_refusals(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"404", "409", "429"} <= set(paths["/api/jobs/{job_id}/control"]["post"]["responses"])
    assert {"413", "415", "429"} <= set(paths["/api/jobs"]["post"]["responses"])
    speed = (await client.get("/openapi.json")).json()["components"]["schemas"]["JobCreate"]
    assert speed["properties"]["speed"]["anyOf"][0]["exclusiveMinimum"] == 0


# A lone surrogate: valid JSON text (an escape), but no string that UTF-8 can encode.
LONE = "\\ud800"


@pytest.mark.parametrize(
    "text, field",
    [
        (f'{{"dataset": "{LONE}"}}', "dataset"),
        (f'{{"activation": "{LONE}"}}', "activation"),
        (f'{{"init": "{LONE}"}}', "init"),
        (f'{{"optimizer": "{LONE}x"}}', "optimizer"),
        (f'{{"hidden_layers": ["{LONE}"]}}', "hidden_layers"),
        (f'{{"speed": "{LONE}"}}', "speed"),
    ],
)
async def test_a_lone_surrogate_in_a_new_job_is_422_naming_the_field(client, text, field):
    error = the_error(await post(client, "/api/jobs", text), field)
    assert error["msg"]
    assert (await client.get("/api/jobs")).json() == []


@pytest.mark.parametrize("key", [LONE, f"a{LONE}b"])
async def test_a_lone_surrogate_in_a_key_is_422_saying_so(client, key):
    job = await paused_job(client)
    for url, body in [
        ("/api/jobs", f'{{"{key}": {{"{LONE}": "{LONE}"}}}}'),
        (f"/api/jobs/{job['id']}/control", f'{{"action": "set", "{key}": 1}}'),
    ]:
        response = await post(client, url, body)
        assert response.status_code == 422, response.text
        (error,) = response.json()["detail"]
        assert "lone surrogate" in error["msg"] and error["input"] == key
    assert len((await client.get("/api/jobs")).json()) == 1


@pytest.mark.parametrize(
    "text, field",
    [
        (f'{{"action": "{LONE}"}}', "action"),
        (f'{{"action": "set", "speed": "{LONE}"}}', "speed"),
        (f'{{"action": "step", "steps": ["{LONE}"]}}', "steps"),
    ],
)
async def test_a_lone_surrogate_in_a_command_is_422_naming_the_field(client, text, field):
    job = await paused_job(client)
    the_error(await post(client, f"/api/jobs/{job['id']}/control", text), field)
    assert (await client.get(f"/api/jobs/{job['id']}")).json()["status"] == "paused"


async def chunks(text: bytes, size: int = 1000):
    for start in range(0, len(text), size):
        yield text[start : start + size]


@pytest.mark.parametrize("url", ["/api/jobs", "/api/jobs/{id}/control"])
async def test_a_chunked_body_over_the_limit_is_413(client, settings, url):
    job = await paused_job(client)
    body = b'{"action": "pause", "pad": "' + b"x" * settings.MAX_REQUEST_BYTES + b'"}'
    response = await client.post(url.format(id=job["id"]), content=chunks(body), headers=JSON)
    assert "content-length" not in response.request.headers  # sent in chunks, unannounced
    assert response.status_code == 413, response.text
    assert "GRADLIVE_MAX_REQUEST_BYTES" in response.json()["detail"]
