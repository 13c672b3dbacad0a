# %% [markdown] nbgrader={"grade": false, "grade_id": "intro", "locked": true, "schema_version": 3, "solution": false, "task": false}
# # Graded exercises · 02 Bond configurations / 채점 연습 문제 · 02 본딩 설정
#
# The exercises of notebook `02` (and one of `05`), for nbgrader: write your answer in each cell that
# says so, then run every cell. The cells with `assert` are the grader's; they must run without error.
#
# 노트북 `02`의 연습 문제(와 `05`의 연습 문제 하나)를 nbgrader로 채점하도록 옮겼습니다. 표시된 셀마다 답을 쓰고
# 모든 셀을 실행하세요. `assert`가 든 셀은 채점용이며, 오류 없이 실행되어야 합니다.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
from bondkit import formats, lint
from bondkit import notebook as nb
from bondkit.formats import ifcfg

nb.setup("en")
published = nb.data_path("seed", "centos", "server-as-published")
saved = {"ifcfg-bond0": (published / "ifcfg-bond0").read_text(),
         "ifcfg-enp0s9": (nb.data_path("seed", "centos", "server") / "ifcfg-enp0s9").read_text()}
my_netplan = nb.data_path("seed", "ubuntu", "server", "50-cloud-init.yaml").read_text()

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1 · The tutorial's slip / 튜토리얼의 실수 (2 points / 2점)
#
# `saved` holds the server's files as a student saved them: the enp0s8 block is lost. Make `my_server`
# hold all three files under their right names (the enp0s8 block's text is `published / "ifcfg-enp0s9"`).
#
# `saved`에는 학생이 저장한 그대로의 server 파일이 있고 enp0s8 블록은 사라졌습니다. `my_server`에 세 파일이 모두
# 제 이름으로 들어 있게 하세요(enp0s8 블록의 내용은 `published / "ifcfg-enp0s9"`에 있습니다).

# %% nbgrader={"grade": false, "grade_id": "ex1-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
my_server = {"ifcfg-enp0s8": (published / "ifcfg-enp0s9").read_text(), **saved}
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "ex1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
specs = ifcfg.parse(my_server)
assert sorted(specs[0].slave_names) == ["enp0s8", "enp0s9"], specs[0].slave_names
assert lint.lint(specs) == [], lint.lint(specs)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2 · netplan for Ubuntu 18.04 / Ubuntu 18.04용 netplan (2 points / 2점)
#
# Change `my_netplan` (the Ubuntu server's file) so that lint has no warning left and netplan older than
# 0.103 accepts it: the same gateway, without `gateway4` and without the word `default`.
#
# `my_netplan`(Ubuntu server의 파일)을 고쳐, 린트 경고가 남지 않고 0.103보다 오래된 netplan도 받아들이게 하세요.
# 게이트웨이는 같게, `gateway4`도 `default`라는 말도 쓰지 않습니다.

# %% nbgrader={"grade": false, "grade_id": "ex2-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
my_netplan = my_netplan.replace(
    "            gateway4: 192.168.225.1\n",
    "            routes:\n"
    "                - to: 0.0.0.0/0\n"
    "                  via: 192.168.225.1\n",
)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "ex2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
ubuntu = formats.parse_text(my_netplan, "50-cloud-init.yaml")
assert "gateway4" not in my_netplan and "default" not in my_netplan
assert ubuntu[0].to_dict()["gateway"] == "192.168.225.1", ubuntu[0].to_dict()
assert lint.lint(ubuntu) == [], lint.lint(ubuntu)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex3-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3 · ARP monitoring with validation / 검증을 켠 ARP 모니터링 (1 point / 1점)
#
# Write `my_opts`, the `BONDING_OPTS` of an active-backup bond that ARP-monitors `192.168.99.101` every
# 100 ms and validates the ARP traffic of every slave (notebook `05`, exercise 2).
#
# `my_opts`에 `192.168.99.101`을 100 ms마다 ARP 모니터링하고 모든 슬레이브의 ARP를 검증하는 액티브-백업 본딩의
# `BONDING_OPTS`를 쓰세요(노트북 `05`의 연습 문제 2).

# %% nbgrader={"grade": false, "grade_id": "ex3-answer", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
my_opts = "mode=1 arp_interval=100 arp_ip_target=192.168.99.101 arp_validate=all fail_over_mac=1"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "ex3-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
files = {path.name: path.read_text() for path in sorted(nb.data_path("seed", "centos", "server").iterdir())}
files["ifcfg-bond0"] = files["ifcfg-bond0"].replace("mode=1 miimon=100 fail_over_mac=1", my_opts)
bond = ifcfg.parse(files)[0]
assert bond.mode == "active-backup" and bond.options.get("arp_interval") == 100
assert bond.options.get("arp_validate") == "all" and "miimon" not in bond.options
assert lint.lint([bond]) == []
