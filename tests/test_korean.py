"""Korean particles follow the filled-in value as it is read aloud, and nothing a student reads uses the
"이(가)" form that leaves the choice to the reader."""

from __future__ import annotations

import re
import string

import pytest

from bondkit.i18n import catalog, t
from bondkit.korean import (
    PARTICLE,
    final_sound,
    is_particle_pair,
    misread_particles,
    particle_after,
    particle_fallbacks,
    with_particle,
)
from tests.glossary import avoided_forms, figure_texts, stored_outputs, terms
from tests.test_notebooks import build

# --------------------------------------------------------------------------- how values are read

READINGS = [
    # interface names end in their digit: 팔 일 영 삼 구 ...
    ("enp0s8", "rieul"), ("enp0s3", "consonant"), ("enp0s9", "vowel"), ("enp0s10", "consonant"),
    ("eth1", "rieul"), ("eth2", "vowel"), ("bond0", "consonant"), ("lo", "vowel"), ("veth", "vowel"),
    # numbers, read as numbers
    ("0", "consonant"), ("1", "rieul"), ("2", "vowel"), ("3", "consonant"), ("4", "vowel"), ("5", "vowel"),
    ("6", "consonant"), ("7", "rieul"), ("8", "rieul"), ("9", "vowel"), ("10", "consonant"),
    ("100", "consonant"), ("200", "consonant"), ("1000", "consonant"), ("10000", "consonant"),
    ("100000", "consonant"), ("100000000", "consonant"), ("1000000000000", "vowel"), ("1,000", "consonant"),
    ("18", "rieul"), ("174", "vowel"), ("177", "rieul"), ("81", "rieul"), ("32", "vowel"),
    ("-3", "consonant"),
    ("018", "rieul"), ("05", "vowel"), ("00", "consonant"), ("12.5", "vowel"), ("3.0", "consonant"),
    ("18.04", "vowel"), ("0.103", "consonant"), ("6.1", "rieul"), ("100.", "consonant"),
    # addresses
    ("192.168.99.101", "rieul"), ("192.168.99.102", "vowel"), ("192.168.99.101/24", "vowel"),
    ("10.0.0.0/8", "rieul"), ("0.0.0.0/0", "consonant"), ("127.0.0.1:2222", "vowel"),
    ("08:00:27:e8:26:58", "rieul"), ("08:00:27:27:a9:2d", "vowel"), ("08:00:27:ad:1b:ac", "vowel"),
    # identifiers of EC2
    ("i-0123456789abcdef0", "consonant"), ("ap-northeast-2", "vowel"), ("us-east-1", "rieul"),
    ("eu-west-3", "consonant"), ("t2.micro", "vowel"), ("t2.small", "rieul"), ("t2.medium", "consonant"),
    ("ami-0c9c942bd7bf113a4", "vowel"), ("InvalidKeyPair.NotFound", "vowel"),
    ("UnauthorizedOperation", "consonant"), ("sg-0a1b2c3d", "vowel"),
    # a version glued to a product's name is read in English: 쓰리, 식스, 투, 세븐
    ("boto3", "vowel"), ("python3", "vowel"), ("IPv6", "vowel"), ("01_ec2_cli_and_boto3", "vowel"),
    ("S3", "vowel"), ("x86", "vowel"), ("centos7", "consonant"), ("dhcp6", "vowel"), ("DHCPv6", "vowel"),
    # words read as words
    ("server", "vowel"), ("client", "vowel"), ("bond", "vowel"), ("netplan", "consonant"),
    ("miimon", "consonant"), ("none", "consonant"), ("NONE", "consonant"), ("active", "vowel"),
    ("follow", "vowel"), ("primary", "vowel"), ("downdelay", "vowel"), ("fail_over_mac", "consonant"),
    ("arp_interval", "rieul"), ("arp_ip_target", "consonant"), ("arp_validate", "vowel"),
    ("active-backup", "consonant"), ("balance-rr", "rieul"), ("balance-alb", "vowel"),
    ("gateway4", "vowel"), ("routes", "vowel"), ("ethernets", "vowel"), ("bonds", "vowel"),
    ("interfaces", "vowel"), ("ping", "consonant"), ("learning", "consonant"), ("switch", "vowel"),
    ("link", "vowel"), ("network", "vowel"), ("subnet", "consonant"), ("stack", "consonant"),
    ("notebook", "consonant"), ("timeout", "consonant"), ("backup", "consonant"), ("loop", "vowel"),
    ("root", "vowel"), ("static", "consonant"), ("profile", "rieul"), ("table", "rieul"),
    ("control", "rieul"), ("name", "consonant"), ("hostname", "consonant"), ("type", "consonant"),
    ("check", "vowel"), ("core", "vowel"), ("device", "vowel"), ("bondkit", "consonant"),
    ("jupyterlab", "consonant"), ("python", "consonant"), ("matplotlib", "consonant"),
    # English words in their Korean spelling: a final l is ㄹ, m n ng are 받침, p t k after one short
    # vowel are 받침 (맵 넷 맥), the rest ends in a vowel (서버 본드 링크 호스트 루트)
    ("machine", "consonant"), ("engine", "consonant"), ("online", "consonant"), ("frame", "consonant"),
    ("console", "rieul"), ("module", "rieul"), ("enable", "rieul"), ("mail", "rieul"), ("pool", "rieul"),
    ("bridge", "vowel"), ("image", "vowel"), ("release", "vowel"), ("service", "vowel"), ("node", "vowel"),
    ("update", "vowel"), ("remote", "vowel"), ("make", "vowel"), ("archive", "vowel"), ("size", "vowel"),
    ("failure", "vowel"), ("store", "vowel"), ("value", "vowel"), ("free", "vowel"), ("window", "vowel"),
    ("new", "vowel"), ("key", "vowel"), ("policy", "vowel"), ("class", "vowel"), ("bash", "vowel"),
    ("path", "vowel"), ("linux", "vowel"), ("tag", "vowel"), ("log", "vowel"), ("send", "vowel"),
    ("default", "vowel"), ("script", "vowel"), ("text", "vowel"), ("disk", "vowel"), ("dump", "vowel"),
    ("help", "vowel"), ("light", "vowel"), ("sheet", "vowel"), ("wait", "vowel"), ("boot", "vowel"),
    ("break", "vowel"), ("week", "vowel"), ("sync", "vowel"), ("hub", "vowel"), ("sub", "vowel"),
    ("format", "consonant"), ("packet", "consonant"), ("socket", "consonant"), ("commit", "consonant"),
    ("input", "consonant"), ("output", "consonant"), ("snapshot", "consonant"), ("split", "consonant"),
    ("map", "consonant"), ("tip", "consonant"), ("setup", "consonant"), ("step", "consonant"),
    ("sleep", "consonant"), ("heap", "consonant"), ("group", "consonant"), ("lab", "consonant"),
    ("web", "consonant"), ("job", "consonant"), ("public", "consonant"), ("traffic", "consonant"),
    ("spec", "consonant"), ("block", "consonant"), ("click", "consonant"), ("webhook", "consonant"),
    ("drop", "consonant"), ("desktop", "consonant"), ("interval", "rieul"), ("manual", "rieul"),
    ("string", "consonant"), ("system", "consonant"), ("team", "consonant"), ("action", "consonant"),
    # configuration keys in capitals: words, unless short enough to be spelled out
    ("DEVICE", "vowel"), ("MASTER", "vowel"), ("NAME", "consonant"), ("TYPE", "consonant"),
    ("BONDING_OPTS", "vowel"), ("ONBOOT", "vowel"), ("USERCTL", "rieul"), ("BOOTPROTO", "vowel"),
    ("BONDING", "consonant"), ("UP", "consonant"), ("LOWER_UP", "consonant"), ("USER", "vowel"),
    # compounds end as their last word
    ("jupyterhub", "vowel"), ("JupyterHub", "vowel"), ("subtype", "consonant"), ("mysql", "rieul"),
    ("firewall", "rieul"), ("website", "vowel"), ("runtime", "consonant"), ("superuser", "vowel"),
    # acronyms: spelled out, or said as words where Korean says them so
    ("SSH", "vowel"), ("DNS", "vowel"), ("AWS", "vowel"), ("EC2", "vowel"), ("IP", "vowel"),
    ("ip", "vowel"), ("ARP", "vowel"), ("MII", "vowel"), ("VM", "consonant"), ("URL", "rieul"),
    ("UML", "rieul"), ("NIC", "consonant"), ("MAC", "consonant"), ("YAML", "rieul"), ("JSON", "consonant"),
    ("IPv4", "vowel"), ("LAN", "consonant"), ("TTL", "rieul"),
    # Latin letters alone or as units: 에스, 엠, 엘, 알
    ("s", "vowel"), ("m", "consonant"), ("l", "rieul"), ("r", "rieul"), ("200ms", "vowel"), ("1s", "vowel"),
    ("a", "vowel"), ("rsa", "vowel"), ("ssh", "vowel"),
    # files and commands
    ("/etc/netplan/01-netcfg.yaml", "rieul"), ("ifcfg-bond0", "consonant"), ("~/.ssh/lab.pem", "consonant"),
    ("data/seed/centos/server", "vowel"), ("/proc/net/bonding/bond0", "consonant"),
    ("~/.ssh/known_hosts", "vowel"), ("setup.sh", "vowel"), ("/etc/sysconfig/network-scripts/", "vowel"),
    ("ip link set dev enp0s8 down", "consonant"), ("cat /proc/net/bonding/bond0", "consonant"),
    ("aws ec2 describe-instances", "vowel"), ("netplan apply", "vowel"),
    # Korean, quotes, brackets and asides
    ("서버", "vowel"), ("본딩", "consonant"), ("파일", "rieul"),
    ("'enp0s8'", "rieul"), ("`bond0`", "consonant"), ('"server"', "vowel"), ("bond0.", "consonant"),
    ("페일오버(failover)", "vowel"), ("enp0s8 (active)", "rieul"),
    ("MAC 주소", "vowel"), ("50%", "vowel"), ("(주)", "vowel"),
]


@pytest.mark.parametrize(("text", "sound"), READINGS, ids=[text for text, _ in READINGS])
def test_final_sound_is_how_the_value_is_read(text, sound):
    assert final_sound(text) == sound


def test_nothing_to_read_has_no_sound():
    assert final_sound("") is None and final_sound("''") is None and final_sound("✔ ") is None


@pytest.mark.parametrize(("word", "pair", "expected"), [
    ("enp0s8", "이/가", "enp0s8이"), ("enp0s9", "이/가", "enp0s9가"), ("bond0", "이/가", "bond0이"),
    ("server", "은/는", "server는"), ("netplan", "은/는", "netplan은"), ("NIC", "을/를", "NIC을"),
    ("SSH", "을/를", "SSH를"), ("100", "으로/로", "100으로"), ("200", "으로/로", "200으로"),
    ("enp0s8", "으로/로", "enp0s8로"), ("enp0s9", "으로/로", "enp0s9로"), ("bond0", "으로/로", "bond0으로"),
    ("18", "으로/로", "18로"), ("YAML", "으로/로", "YAML로"), ("enp0s8", "과/와", "enp0s8과"),
    ("enp0s9", "과/와", "enp0s9와"), ("client", "과/와", "client와"), ("018", "이/가", "018이"),
    ("177", "을/를", "177을"), ("miimon", "이라는/라는", "miimon이라는"),
    ("active", "이라는/라는", "active라는"),
    ("100", "으로서/로서", "100으로서"), ("follow", "이나/나", "follow나"), ("'eth1'", "은/는", "'eth1'은"),
    ("", "이/가", "이"),
])
def test_particle_after_the_word(word, pair, expected):
    assert with_particle(word, pair) == expected


@pytest.mark.parametrize("pair", ["이/가", "을/를", "은/는", "과/와", "으로/로", "아/야", "이라는/라는",
                                  "이며/며"])
def test_particle_pairs_are_recognised(pair):
    assert is_particle_pair(pair)


@pytest.mark.parametrize("spec", ["가/이", "를/을", "로/으로", ">5", ".1f", "이", "이/가/는", "a/b", ""])
def test_other_formats_are_not_particle_pairs(spec):
    assert not is_particle_pair(spec)


def test_a_pair_written_vowel_form_first_is_refused():
    with pytest.raises(ValueError, match="after-consonant/after-vowel"):
        particle_after("bond0", "가/이")


# --------------------------------------------------------------------------- the catalog uses them


def test_catalog_particle_fields_are_filled_from_the_value():
    assert t("plot.failover_line", "ko", slave="enp0s9", ms=40) == "enp0s9로 페일오버 (+40 ms)"
    assert t("plot.failover_line", "ko", slave="bond1", ms=40).startswith("bond1로 ")
    assert t("plot.failover_line", "ko", slave="eth0", ms=40).startswith("eth0으로 ")
    assert t("lint.delay-not-multiple", "ko", option="downdelay", value=250, miimon=100,
             rounded=200).endswith("커널이 200으로 내림합니다")
    assert "커널이 180으로 " in t("lint.delay-not-multiple", "ko", option="updelay", value=190, miimon=90,
                                 rounded=180)
    assert "커널이 18로 " in t("lint.delay-not-multiple", "ko", option="updelay", value=19, miimon=9,
                               rounded=18)


def test_particle_fields_keep_a_format_before_the_pair():
    from bondkit.i18n import _FORMATTER

    filled = _FORMATTER.format("{v:.1f:으로/로}|{v:>6}|{w!r:은/는}", v=2.5, w="bond0")
    assert filled == "2.5로|   2.5|'bond0'은"


@pytest.mark.parametrize("text", ["enp0s8이(가) 없습니다", "100(으)로", "NIC(을)를 봅니다", "client와(과)",
                                  "server은(는)", "(이)라는", "bond0(이)가", "enp0s8이/가 없습니다",
                                  "NIC을/를"])
def test_the_fallback_finder_finds_fallbacks(text):
    assert particle_fallbacks(text)


@pytest.mark.parametrize("text", ["enp0s8이 없습니다 (있는 NIC: enp0s3)", "페일오버(failover)가", "(이 줄)",
                                  "YAML과 netplan은", "본딩(bonding)은", "{nic:이/가} 없습니다", "분/초"])
def test_the_fallback_finder_leaves_korean_alone(text):
    assert not particle_fallbacks(text)


def test_no_catalog_message_leaves_the_particle_to_the_reader():
    found = {key: particle_fallbacks(texts["ko"]) for key, texts in catalog().items()
             if particle_fallbacks(texts["ko"])}
    assert not found, f"write the particle as a field format ({{nic:이/가}}) or restructure: {found}"


def test_every_particle_field_of_the_catalog_is_a_known_pair():
    """A typo such as {nic:가/이} would otherwise reach a student as a ValueError."""
    for key, texts in catalog().items():
        for _, name, spec, _ in string.Formatter().parse(texts["ko"]):
            if name is not None and spec and "/" in spec:
                assert is_particle_pair(spec.rpartition(":")[2]), (key, spec)
        assert not any(spec and "/" in spec for _, _, spec, _ in string.Formatter().parse(texts["en"])), key


@pytest.mark.parametrize(("text", "wrong"), [
    ("enp0s9이 죽으면", ["enp0s9이 → enp0s9가"]), ("`bond0`를 봅니다", ["bond0를 → bond0을"]),
    ("NIC를 바꿉니다", ["NIC를 → NIC을"]), ("100로", ["100로 → 100으로"]),
    ("enp0s8으로", ["enp0s8으로 → enp0s8로"]),
    ("enp0s3와 enp0s8", ["enp0s3와 → enp0s3과"]), ("enp0s8라는", ["enp0s8라는 → enp0s8이라는"]),
])
def test_written_particles_that_misread_the_word_are_found(text, wrong):
    assert misread_particles(text) == wrong


@pytest.mark.parametrize("text", ["enp0s8이 죽으면 enp0s9가", "`bond0`을 보고", "boto3로 만든 1가지",
                                  "100으로", "2개, 10초", "MAC 주소를", "ms로", "client와 server",
                                  "python3가 없습니다"])
def test_written_particles_that_fit_are_left_alone(text):
    assert misread_particles(text) == []


def _template_text(text: str) -> str:
    """A catalog template with its fields emptied, so only the words written in it are read."""
    return re.sub(r"\{[^{}]*\}", "{}", text)


def test_catalog_particles_written_after_words_fit_how_the_words_are_read():
    wrong = {key: misread_particles(_template_text(texts["ko"])) for key, texts in catalog().items()}
    assert not {key: found for key, found in wrong.items() if found}


_FIXED_AFTER_FIELD = re.compile(r"\}[`'\"]?" + PARTICLE)


def test_no_catalog_field_is_followed_by_a_fixed_particle():
    """After a field the particle depends on the value: it must be the field's format ({nic:이/가})."""
    found = {key: _FIXED_AFTER_FIELD.findall(texts["ko"]) for key, texts in catalog().items()}
    assert not {key: particles for key, particles in found.items() if particles}


# --------------------------------------------------------------------------- everything a student reads


def _problems(where: str, text: str) -> list[tuple[str, str]]:
    """Particle fallbacks, particles that misread the word before them, and forms the glossary rules out."""
    found = particle_fallbacks(text) + misread_particles(text) + avoided_forms(text)
    return [(where, problem) for problem in found]


def test_stored_korean_notebook_outputs_read_as_korean():
    """What the notebooks printed when they were built: a stale output is caught here, not in class."""
    outputs = stored_outputs("ko")
    assert len(outputs) > 50
    problems = [problem for where, text in outputs for problem in _problems(where, text)]
    assert not problems


def test_korean_notebook_prose_chooses_its_particles_from_the_reading():
    """No 이(가) in the prose, and a particle after `bond0` or enp0s8 fits how the word is read."""
    problems = [(path.name, found) for path in build.sources() for cell in build.read_source(path).cells
                if cell.cell_type == "markdown" and cell.metadata.get("lang") == "ko"
                for found in particle_fallbacks(cell.source) + misread_particles(cell.source)]
    assert not problems


def _groups(runs, *varying: str) -> list[list]:
    """The recorded runs grouped so that only the ``varying`` settings differ within a group."""
    groups: dict[tuple, list] = {}
    for run in runs:
        fixed = tuple(value for name, value in vars(run.params).items() if name not in varying)
        groups.setdefault(fixed, []).append(run)
    return [group for group in groups.values() if len(group) > 1]


@pytest.fixture(scope="module")
def korean_figure_texts() -> list[tuple[str, str]]:
    """The text of every figure the notebooks and the explorer draw from the recorded runs, in Korean."""
    import matplotlib.pyplot as plt

    from bondkit.failover.store import load_runs
    from bondkit.plot import comparison_figure, run_figure

    runs = load_runs()
    figures = [(run.id, run_figure(run, "ko")) for run in runs]
    groups = _groups(runs, "fail_over_mac") + _groups(runs, "miimon", "arp_interval", "downdelay", "updelay")
    figures += [(f"{group[0].id} and others", comparison_figure(group, "ko")) for group in groups]
    texts = [(where, text) for where, fig in figures for text in figure_texts(fig)]
    for _, fig in figures:
        plt.close(fig)
    return texts


def test_korean_figures_read_as_korean(korean_figure_texts):
    assert any(re.search("[가-힣]", text) for _, text in korean_figure_texts)
    problems = [problem for where, text in korean_figure_texts for problem in _problems(where, text)]
    assert not problems


def test_korean_figures_say_learning_switch_as_the_glossary_does(korean_figure_texts):
    switch = next(term["ko"] for term in terms() if term["en"] == "learning switch")
    assert any(switch in text for _, text in korean_figure_texts)


# --------------------------------------------------------------------------- one register

# A sentence that ends in the plain form (한다, 없다, 바뀌었다) where the kit speaks 합쇼체 (합니다).
# 마다 ("every"), 보다 ("than") and 셋 다 ("all three") end in 다 without being one.
_PLAIN_ENDING = re.compile(r"(?<![니마보\s])다(?=[.:;!?)\"]|\s|$)")


def test_messages_and_self_checks_speak_one_register():
    plain = {key: texts["ko"] for key, texts in catalog().items() if _PLAIN_ENDING.search(texts["ko"])}
    assert not plain, "write 합니다, not 한다"


def test_self_check_choices_are_not_left_as_fragments():
    """A choice is a short noun phrase (enp0s8만) or a sentence in 합쇼체, not a clause cut off at
    때문에 or 하려고."""
    choices = {key: texts["ko"] for key, texts in catalog().items() if re.fullmatch(r"quiz\.\w+\.\d+", key)}
    assert len(choices) > 20
    cut = {key: text for key, text in choices.items()
           if text.rstrip(". ").endswith(("때문에", "려고", "므로"))}
    assert not cut


def test_the_teachers_materials_and_docs_in_korean_choose_their_particles_from_the_reading():
    """The guide, the answer key and the migration notes are read by Korean teachers too."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [*sorted((root / "notebooks" / "teachers").glob("*.ko.md")),
             *sorted((root / "docs").glob("*.ko.md"))]
    assert files
    problems = [(path.name, found) for path in files
                for found in particle_fallbacks(path.read_text()) + misread_particles(path.read_text())]
    assert not problems
