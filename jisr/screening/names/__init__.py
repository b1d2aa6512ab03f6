"""Name analysis across scripts: Latin, Arabic (with Persian and Urdu letters), Han, others."""

from jisr.screening.names.analysis import NameForm, analyze_name, unpack
from jisr.screening.names.normalize import Script, detect_script

__all__ = ["NameForm", "Script", "analyze_name", "detect_script", "unpack"]
