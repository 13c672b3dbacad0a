"""``bondkit demo`` refuses a results folder it cannot write before it spends a minute on the lab."""

from __future__ import annotations

import os
import subprocess
import sys


def test_an_unwritable_results_folder_is_refused_at_once_in_the_users_language(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "results"
    for lang, words in (("en", "cannot write the results into"), ("ko", "결과를 저장할 수 없는 폴더입니다")):
        result = subprocess.run([sys.executable, "-m", "bondkit", "--lang", lang, "demo", "--out", str(out)],
                                capture_output=True, text=True, timeout=60,
                                env={**os.environ, "BONDKIT_LAB_DIR": str(tmp_path / "lab")})
        assert result.returncode != 0
        assert words in result.stderr and str(out) in result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "lab").exists()  # refused before any lab was started
