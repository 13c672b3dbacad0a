"""The lab in a browser tab: two v86 guests in the Pyodide kernel's web worker, behind the same door.

``lab = start()`` (or ``lab = await astart()``) restores the site's two guests and brings their NICs up;
``lab["server"].run(...)`` then works as on the native lab (:class:`bondkit.lab.Lab`). It waits
synchronously where the browser has JSPI (Chrome and Edge 137 and later); elsewhere
``await lab["server"].arun(...)`` does the same. Pure Python: nothing here needs more than Pyodide.
"""

from bondkit.lab.browser.lab import BrowserHost, BrowserLab, CommandResult, astart, start
from bondkit.lab.browser.stories import MacStory, amac_story, bond_commands, mac_story

__all__ = ["BrowserHost", "BrowserLab", "CommandResult", "MacStory", "amac_story", "astart", "bond_commands",
           "mac_story", "start"]
