"""How a word ends when it is read aloud in Korean, and so which particle follows it.

Korean particles come in pairs chosen by the sound before them: 이/가, 을/를, 은/는, 과/와, 으로/로 ...
A message that fills in ``enp0s8``, ``100`` or ``server`` cannot write "이(가)" and leave the choice to the
reader: that reads as a form, not as Korean. The choice follows the *spoken* word, so digits and Latin
letters are read as a Korean speaker reads them: ``enp0s8`` ends in 팔 (ㄹ), ``100`` in 백 (ㄱ), ``bond0``
in 영 (ㅇ), ``SSH`` in 에이치 (a vowel), ``netplan`` in 플랜 (ㄴ), ``fail_over_mac`` in 맥 (ㄱ).

Digits are read as Sino-Korean numbers (``bond0`` 영, ``100`` 백), except a version glued to a
product's name, which is read in English (``boto3`` 쓰리, ``IPv6`` 식스). Latin words follow the
loanword spelling (외래어 표기법) closely enough for a particle: a final l is ㄹ; m, n, ng are ㅁ, ㄴ,
ㅇ; a final p, t, k after one short vowel is a 받침 (맵, 넷, 맥); other endings
(``server`` 서버, ``bond`` 본드, ``hosts`` 호스츠, ``link`` 링크) end in a vowel. Words the rules would
misread, and acronyms said as words (NIC 닉, YAML 야믈), are listed.
"""

from __future__ import annotations

import re
from typing import Literal

Sound = Literal["vowel", "rieul", "consonant"]

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # index of ㄹ among the final consonants (종성) of a precomposed syllable

# The Sino-Korean reading of each digit: 영 일 이 삼 사 오 육 칠 팔 구.
_DIGIT: dict[str, Sound] = {"0": "consonant", "1": "rieul", "2": "vowel", "3": "consonant", "4": "vowel",
                            "5": "vowel", "6": "consonant", "7": "rieul", "8": "rieul", "9": "vowel"}
# A number ending in zeros is read up to its last unit: 십 백 천, then 만 억 조 경 for each four zeros.
_TENS: dict[int, Sound] = {1: "consonant", 2: "consonant", 3: "consonant"}
_MYRIADS: dict[int, Sound] = {1: "consonant", 2: "consonant", 3: "vowel", 4: "consonant"}

# A version number glued to a product's name is read in English: boto3 보토쓰리, python3 파이썬쓰리,
# IPv6 아이피브이식스, EC2 이씨투 (zero one two ... nine: 제로 원 투 쓰리 포 파이브 식스 세븐 에잇 나인).
_ENGLISH_DIGIT: dict[str, Sound] = {"0": "vowel", "1": "consonant", "2": "vowel", "3": "vowel", "4": "vowel",
                                    "5": "vowel", "6": "vowel", "7": "consonant", "8": "consonant",
                                    "9": "consonant"}
_NAMES_WITH_ENGLISH_NUMBERS = {"boto", "python", "py", "ipv", "dhcp", "dhcpv", "gateway", "ec", "s", "http",
                               "sha", "md", "x", "v", "ubuntu", "centos", "rhel", "debian", "linux", "php",
                               "html", "tls"}

# Letter names: 에이 비 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이 ...
_LETTER: dict[str, Sound] = {"l": "rieul", "r": "rieul", "m": "consonant", "n": "consonant"}
# Symbols read aloud: % 퍼센트, + 플러스, # 샵, ° and ℃ 도.
_SYMBOL: dict[str, Sound] = {"%": "vowel", "+": "vowel", "#": "consonant", "°": "vowel", "℃": "vowel"}

# Words read otherwise than the rules below would read them (lower case).
_WORDS: dict[str, Sound] = {
    # acronyms said as words
    "nic": "consonant",      # 닉
    "mac": "consonant",      # 맥
    "lan": "consonant",      # 랜
    "wan": "consonant",      # 왠
    "vlan": "consonant",     # 브이랜
    "ram": "consonant",      # 램
    "rom": "consonant",      # 롬
    "yaml": "rieul",         # 야믈
    "json": "consonant",     # 제이슨
    "lacp": "vowel",         # 랙피
    "arp": "vowel",          # 에이알피
    "uuid": "vowel",         # 유유아이디
    "ascii": "vowel",        # 아스키
    "cidr": "vowel",         # 사이더
    "aws": "vowel",          # 에이더블유에스
    "ami": "vowel",          # 에이엠아이
    "ec": "vowel",           # 이씨 (as in EC2)
    "ipv": "vowel",          # 아이피브이 (as in IPv4)
    "uml": "rieul",          # 유엠엘
    "url": "rieul",          # 유알엘
    "sql": "rieul",          # 에스큐엘
    "html": "rieul",         # 에이치티엠엘
    "xml": "rieul",          # 엑스엠엘
    "alb": "vowel",          # 에이엘비 (balance-alb)
    "tlb": "vowel",          # 티엘비
    "pem": "consonant",      # 펨
    "ipynb": "vowel",        # 아이파이엔비
    "ifcfg": "vowel",        # 아이에프씨에프지
    "nmcli": "vowel",        # 엔엠씨엘아이
    "etc": "vowel",          # 이티씨
    "ip": "vowel",           # 아이피
    "ok": "vowel",           # 오케이
    "nat": "consonant",      # 냇
    # words whose spelling misleads the rules
    "type": "consonant",     # 타입
    "check": "vowel",        # 체크
    "hub": "vowel",          # 허브
    "sub": "vowel",          # 서브
    "up": "consonant",       # 업 (also as UP, LOWER_UP)
    "user": "vowel",         # 유저 (also as USER)
    "stub": "vowel",         # 스터브
    "good": "consonant",     # 굿
    "group": "consonant",    # 그룹
    "bit": "vowel",          # 비트
    "edit": "vowel",         # 에디트
    "exit": "vowel",         # 엑시트
    "site": "vowel",         # 사이트
    "mode": "vowel",         # 모드
    "ubuntu": "vowel",       # 우분투
    "centos": "vowel",       # 센토스
    "linux": "vowel",        # 리눅스
    "debian": "consonant",   # 데비안
    "null": "rieul",         # 널
    "all": "rieul",          # 올
    "file": "rieul",         # 파일
    "one": "consonant",      # 원
    "none": "consonant",     # 논 (also as NONE)
    "name": "consonant",     # 네임 (also as NAME)
    "zone": "consonant",     # 존
    "time": "consonant",     # 타임
    "init": "consonant",     # 이닛 (IPV6INIT)
    "some": "consonant",     # 섬
}

_SKIPPED_TAIL = re.compile(r"[\s'\"`’”“‘.,;:!?…/\\\-_*~|>\]}=]+$")
_PARENTHESIZED_TAIL = re.compile(r"\s*\([^()]*\)$")
_TOKEN_TAIL = re.compile(r"([0-9][0-9,.]*|[A-Za-z]+|[\uac00-\ud7a3]|%|\+|#|°|℃)$")
_VOWELS = set("aeiouy")


def final_sound(text: str) -> Sound | None:
    """How ``text`` ends when read aloud in Korean: in a vowel, in ㄹ, or in another consonant.

    Quotes, brackets and trailing punctuation are not read; a parenthesized tail is an aside, so the
    word before it decides (``페일오버(failover)`` ends in 버). ``None`` when nothing in it is read."""
    rest = text
    while rest:
        rest = _SKIPPED_TAIL.sub("", rest)
        aside = _PARENTHESIZED_TAIL.search(rest)
        if aside and aside.start() > 0:
            rest = rest[:aside.start()]
            continue
        if rest.endswith(")") or rest.endswith("("):
            rest = rest[:-1]
            continue
        match = _TOKEN_TAIL.search(rest)
        if match is None:
            rest = rest[:-1]  # a character Korean does not read aloud (an emoji, a box drawing ...)
            continue
        token = match.group(1)
        if token[0].isdigit():
            word = re.search(r"[A-Za-z0-9]*$", rest[:match.start()])
            assert word is not None  # the pattern matches the empty string too
            name = word.group(0)
            if name.lower() in _NAMES_WITH_ENGLISH_NUMBERS and token.isdigit():
                return _ENGLISH_DIGIT[token[-1]]
            return _number_sound(token)
        if token.isascii() and token.isalpha():
            glued = rest[match.start() - 1:match.start()]
            if glued and (glued.isdigit() or glued == ":") and set(token.lower()) <= set("abcdef"):
                return _LETTER.get(token[-1].lower(), "vowel")  # hex digits (…:ad:1b:ac) are spelled out
            return _latin_sound(token)
        if "\uac00" <= token <= "\ud7a3":
            return _syllable_sound(token)
        return _SYMBOL[token]
    return None


def _syllable_sound(syllable: str) -> Sound:
    final = (ord(syllable) - _HANGUL_FIRST) % 28
    return "vowel" if final == 0 else "rieul" if final == _RIEUL else "consonant"


def _number_sound(token: str) -> Sound:
    """Digits as a number is read: ``100`` 백, ``018`` 일팔, ``1,000`` 천, ``18.04`` 십팔 점 영사,
    ``192.168.99.101`` (groups read one by one) 백일."""
    token = token.rstrip(",.")
    groups = token.split(".")
    last = groups[-1].replace(",", "")
    if len(groups) == 2 or (len(last) > 1 and last.startswith("0")):
        return _DIGIT[last[-1]]  # decimals and zero-led codes are read digit by digit
    zeros = len(last) - len(last.rstrip("0"))
    if zeros == len(last):
        return _DIGIT["0"]
    if zeros == 0:
        return _DIGIT[last[-1]]
    if zeros < 4:
        return _TENS[zeros]
    return _MYRIADS.get(zeros // 4, "consonant")


def _latin_sound(token: str) -> Sound:
    """A run of Latin letters, as a word or as letter names."""
    camel = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", token)
    word = camel[-1] if camel else token
    lower = word.lower()
    if lower in _WORDS:
        return _WORDS[lower]
    for start in range(2, len(lower) - 2):  # a compound ends as its last word: jupyterhub 허브, subtype 타입
        if lower[start:] in _WORDS:
            return _WORDS[lower[start:]]
    if len(word) == 1 or not (_VOWELS & set(lower)) or (word.isupper() and len(word) <= 4):
        return _LETTER.get(lower[-1], "vowel")
    return _english_sound(lower)


def _english_sound(word: str) -> Sound:
    """The last sound of an English word in its usual Korean spelling."""
    last, before = word[-1], word[:-1]
    if word.endswith("ng") or last in "mn":
        return "consonant"
    if last == "l" or word.endswith("le"):
        return "rieul"
    if word.endswith(("ne", "me")):
        return "consonant"  # none 논, name 네임: the e is silent
    if word.endswith("ck"):
        return "consonant"  # stack 스택, block 블록
    if word.endswith("out"):
        return "consonant"  # timeout 타임아웃
    if word.endswith("ook"):
        return "consonant"  # notebook 노트북
    if word.endswith(("eep", "eap")):
        return "consonant"  # sleep 슬립, heap 힙
    if last in "ptkcb" and _after_one_short_vowel(before):
        return "consonant"  # map 맵, net 넷, mac 맥, web 웹
    return "vowel"


def _after_one_short_vowel(stem: str) -> bool:
    """Whether ``stem`` ends in exactly one vowel letter (``ne`` of ``net``, not ``oo`` of ``root``)."""
    if not stem or stem[-1] not in "aeiou":
        return False
    return len(stem) == 1 or stem[-2] not in _VOWELS


# The "fill the particle in yourself" forms: 이(가), (이)가, 을(를), 은(는), (으)로, 와(과), (이)라, and the
# same with a slash (이/가, 을/를, (으)로/로) outside a catalog field.
_FALLBACK = re.compile(r"[이가을를은는와과]\((?:[이가을를은는와과]|으)\)|\((?:[이가을를은는와과아야]|으)\)"
                       r"|(?<![:가-힣])(?:이/가|가/이|을/를|를/을|은/는|는/은|과/와|와/과|으로/로|로/으로)")


def particle_fallbacks(text: str) -> list[str]:
    """The places in ``text`` that leave the particle to the reader (``enp0s8이(가)``, ``100(으)로``), each
    with a little context: what a student must never read."""
    return [text[max(0, m.start() - 12):m.end() + 4] for m in _FALLBACK.finditer(text)]


# A particle written after a word in Latin letters or digits (``enp0s8이``, ```bond0`을``, ``boto3로``).
_FIXED = {"이": "이/가", "가": "이/가", "을": "을/를", "를": "을/를", "은": "은/는", "는": "은/는",
          "과": "과/와", "와": "과/와", "으로": "으로/로", "로": "으로/로", "이라는": "이라는/라는",
          "라는": "이라는/라는", "이라고": "이라고/라고", "라고": "이라고/라고"}
PARTICLE = r"(으로|이라는|라는|이라고|라고|[이가을를은는과와로])(?![\uac00-\ud7a3])"
_WRITTEN_PARTICLE = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.:/=+\-]*[`'\"]?)" + PARTICLE)


def misread_particles(text: str) -> list[str]:
    """The particles in ``text`` written after Latin letters or digits that do not fit how the word is read
    (``enp0s9이``, ```bond0`를``), each with the particle it should be."""
    wrong = []
    for match in _WRITTEN_PARTICLE.finditer(text):
        word, written = match.groups()
        expected = particle_after(word, _FIXED[written])
        if expected != written:
            word = word.rstrip("`'\"")
            wrong.append(f"{word}{written} → {word}{expected}")
    return wrong


_PAIRS = {("이", "가"), ("을", "를"), ("은", "는"), ("과", "와"), ("아", "야")}
PAIR_PATTERN = re.compile(r"([\uac00-\ud7a3]+)/([\uac00-\ud7a3]+)")


def is_particle_pair(spec: str) -> bool:
    """Whether ``spec`` names a particle pair, the form after a consonant first: ``이/가``, ``으로/로``,
    ``이라는/라는``."""
    match = PAIR_PATTERN.fullmatch(spec)
    if not match:
        return False
    after_consonant, after_vowel = match.groups()
    return ((after_consonant, after_vowel) in _PAIRS or after_consonant == "이" + after_vowel
            or after_consonant == "으" + after_vowel)


def particle_after(word: str, pair: str) -> str:
    """The particle of ``pair`` (``"이/가"``) that follows ``word`` as it is read aloud.

    ``으로/로`` and its kin take the vowel form after ㄹ too (``enp0s8로``, ``100으로``). A word with
    nothing to read takes the form after a consonant."""
    if not is_particle_pair(pair):
        raise ValueError(f"{pair!r} is not a particle pair written as 'after-consonant/after-vowel'")
    after_consonant, after_vowel = pair.split("/")
    sound = final_sound(word)
    if sound == "vowel" or (sound == "rieul" and after_consonant.startswith("으")):
        return after_vowel
    return after_consonant


def with_particle(word: object, pair: str) -> str:
    """``word`` followed by the particle it takes: ``with_particle("enp0s8", "이/가") == "enp0s8이"``."""
    text = str(word)
    return text + particle_after(text, pair)
