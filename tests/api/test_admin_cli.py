"""`camfleet admin` and the first run (issue 14, points 2 and 3): a database is created only with
--create (a typo in --database must not make an empty one and print working-looking credentials),
--database defaults to serve's (CAMFLEET_DATABASE, else sqlite:camfleet.db); create-user reads the
password from standard input, and takes one from the command line only with --password, warning;
scripts/bootstrap.sh (run.sh's first run) writes the credentials to 0600 files git ignores and
prints where they are, never a secret. On the run's back end: a fresh PostgreSQL database without
camfleet's tables counts as not created."""
import json
import os
import stat
import subprocess

from conftest import (BACKEND, BINARY, REPO, Api, Server, check_binary, expect, new_database_url,
                      unique_email)

PASSWORD = "correct horse battery"


def admin(*args, stdin_text=None, cwd=None, env=None):
    check_binary()
    return subprocess.run([str(BINARY), "admin", *args], capture_output=True, text=True,
                          input=stdin_text if stdin_text is not None else "", cwd=cwd, env=env,
                          timeout=60)


def schema_present(database, tmp_path):
    """Whether camfleet's tables are in the database, read without camfleet."""
    if database.startswith("sqlite:"):
        path = database[len("sqlite:"):]
        if not os.path.exists(path):
            return False
        import sqlite3
        connection = sqlite3.connect(path)
        try:
            rows = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchall()
        finally:
            connection.close()
        return bool(rows)
    done = subprocess.run(["psql", database, "-X", "-A", "-t", "-c",
                           "SELECT to_regclass('schema_migrations') IS NOT NULL"],
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip() == "t"


def test_a_database_without_camfleet_is_refused_unless_create_is_given(tmp_path):
    database = new_database_url(tmp_path)
    for command in (["create-client", "--role", "operator", "--name", "ops"], ["rotate-signing-key"]):
        done = admin(*command, "--database", database)
        assert done.returncode == 1, done
        assert done.stdout == ""  # no credentials that would not work
        assert "holds no camfleet database" in done.stderr and "--create" in done.stderr, done.stderr
        assert not schema_present(database, tmp_path)
    if BACKEND == "sqlite":
        assert not (tmp_path / "camfleet.db").exists()  # not even an empty file
    done = admin("create-client", "--database", database, "--create", "--role", "operator", "--name", "ops")
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert schema_present(database, tmp_path)
    # Once created, the other commands need no --create.
    again = admin("create-client", "--database", database, "--role", "operator", "--name", "ops2")
    assert again.returncode == 0, again.stderr
    server = Server(tmp_path / "serve")
    server.database = database
    server.start()
    try:
        api = Api(server, created)
        assert api.operator_token
    finally:
        server.kill()


def test_register_cameras_refuses_a_database_without_camfleet_too(tmp_path):
    database = new_database_url(tmp_path)
    csv_path = tmp_path / "cameras.csv"
    csv_path.write_text("cameraId,serialNumber\n,SN-TYPO-1\n")
    done = admin("register-cameras", "--database", database, "--csv", str(csv_path))
    assert done.returncode == 1, done
    assert "holds no camfleet database" in done.stderr
    assert not schema_present(database, tmp_path)


def test_a_sqlite_file_that_is_not_camfleets_is_refused(tmp_path):
    """An existing file without camfleet's tables (another program's database) is not set up
    behind the user's back either."""
    path = tmp_path / "other.db"
    import sqlite3
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.commit()
    connection.close()
    done = admin("create-client", "--database", f"sqlite:{path}", "--role", "operator", "--name", "ops")
    assert done.returncode == 1 and "holds no camfleet database" in done.stderr, done
    assert not schema_present(f"sqlite:{path}", tmp_path)


def test_database_defaults_to_serves_default(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "CAMFLEET_DATABASE"}
    done = admin("create-client", "--role", "operator", "--name", "ops", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "sqlite:camfleet.db holds no camfleet database" in done.stderr, done.stderr
    done = admin("create-client", "--create", "--role", "operator", "--name", "ops", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert schema_present(f"sqlite:{tmp_path / 'camfleet.db'}", tmp_path)
    # CAMFLEET_DATABASE names it when --database does not.
    env["CAMFLEET_DATABASE"] = f"sqlite:{tmp_path / 'from-env.db'}"
    done = admin("create-client", "--role", "operator", "--name", "ops", cwd=tmp_path, env=env)
    assert done.returncode == 1 and "from-env.db holds no camfleet database" in done.stderr, done.stderr


def test_create_user_reads_the_password_from_stdin(start_server):
    server = start_server()
    email = unique_email("stdin")
    done = admin("create-user", "--database", server.database, "--role", "operator", "--email", email,
                 "--password-stdin", stdin_text=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["email"] == email
    assert PASSWORD not in done.stdout + done.stderr
    api = Api(server, server.operator_client)
    token = api.token_for_user(email, PASSWORD)
    expect(api.get("/organisations", token), 200)  # an operator user


def test_create_user_refuses_a_missing_or_short_password_and_changes_nothing(start_server):
    server = start_server()
    api = Api(server, server.operator_client)
    email = unique_email("nopass")
    needs = "create-user needs the password: pipe it in with --password-stdin"
    length = "the password must be 8 to 200 characters"
    for args, stdin_text, message in (([], "", needs), (["--password-stdin"], "short\n", length),
                                      (["--password-stdin"], "", length),
                                      (["--password-stdin"], "x" * 201 + "\n", length),
                                      (["--password-stdin", "--password", PASSWORD], PASSWORD + "\n", needs)):
        done = admin("create-user", "--database", server.database, "--role", "operator", "--email", email,
                     *args, stdin_text=stdin_text)
        assert done.returncode == 2, (args, done)
        assert message in done.stderr, (args, done.stderr)
        assert done.stdout == ""
    users = expect(api.get("/users", api.operator_token), 200)
    assert email not in [user["email"] for user in users]


def test_a_password_on_the_command_line_needs_password_and_warns(start_server):
    server = start_server()
    email = unique_email("argv")
    done = admin("create-user", "--database", server.database, "--role", "operator", "--email", email,
                 "--password", PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "warning: --password shows the password in the process list" in done.stderr
    assert "--password-stdin" in done.stderr
    Api(server, server.operator_client).token_for_user(email, PASSWORD)


def read_json(path):
    return json.loads(path.read_text())


def run_bootstrap(workdir, database):
    env = dict(os.environ, CAMFLEET_DATABASE=database, CAMFLEET_LISTEN="127.0.0.1:8080")
    return subprocess.run(["bash", str(REPO / "scripts" / "bootstrap.sh"), str(BINARY)], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=120)


def test_first_run_writes_private_credentials_and_prints_no_secret(tmp_path):
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    database = new_database_url(workdir)
    done = run_bootstrap(workdir, database)
    assert done.returncode == 0, done.stderr
    client_file, user_file = workdir / "camfleet-operator.json", workdir / "camfleet-operator-user.json"
    client, user = read_json(client_file), read_json(user_file)
    for path in (client_file, user_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    printed = done.stdout + done.stderr
    assert client["clientSecret"] not in printed and user["password"] not in printed
    assert str(client_file) in done.stdout and str(user_file) in done.stdout
    assert "http://127.0.0.1:8080/ui/" in done.stdout
    assert user["email"] == "operator@camfleet.example" and len(user["password"]) >= 16

    # A second run keeps the credentials (and still prints no secret).
    again = run_bootstrap(workdir, database)
    assert again.returncode == 0, again.stderr
    assert read_json(client_file) == client and read_json(user_file) == user
    assert client["clientSecret"] not in again.stdout + again.stderr

    server = Server(tmp_path / "serve")
    server.database = database
    server.start()
    try:
        api = Api(server, client)
        assert api.operator_token
        operator_user_token = api.token_for_user(user["email"], user["password"])
        expect(api.get("/organisations", operator_user_token), 200)  # the user is an operator
    finally:
        server.kill()


def test_git_ignores_every_credentials_file():
    names = ["camfleet-operator.json", "camfleet-operator-user.json", "camfleet-sim.json"]
    done = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", *names],
                          capture_output=True, text=True, timeout=30)
    assert sorted(done.stdout.split()) == sorted(names), done


def test_bad_options_create_no_database_even_with_create(tmp_path):
    database = new_database_url(tmp_path)
    for args in (["create-client", "--role", "root", "--name", "ops"], ["create-client", "--role", "operator"],
                 ["create-user", "--role", "operator", "--email", "ops@example.com"],
                 ["create-user", "--role", "superuser", "--email", "ops@example.com", "--password-stdin"]):
        done = admin(*args, "--database", database, "--create", stdin_text=PASSWORD + "\n")
        assert done.returncode == 2, (args, done)
        assert not schema_present(database, tmp_path), args
