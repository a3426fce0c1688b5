"""Your own town: from the figures a French water service publishes to a calibrated scenario.

- :mod:`sim.calibration.readers`: SISPEA extractions (three header generations), the « composition
  communale » file, INSEE census and Filosofi files; allow-listed columns only, located errors.
- :mod:`sim.calibration.figures`: a commune's figures assembled from those files.
- :mod:`sim.calibration.calibrate`: the scenario reproducing the figures in its first five years.
- :mod:`sim.calibration.report`: the calibration report and the commented YAML.
- :mod:`sim.calibration.cli`: the ``new-town`` verb; :mod:`sim.calibration.page`: the dashboard
  page « Ma commune » (the only module here that imports streamlit).
"""

from sim.calibration.calibrate import Calibration, TownFigures, calibrate_town
from sim.calibration.errors import InputFileError
from sim.calibration.figures import figures_from_files, merge_hand
from sim.calibration.report import format_report, report_csv, report_rows, scenario_yaml

__all__ = [
    "Calibration",
    "InputFileError",
    "TownFigures",
    "calibrate_town",
    "figures_from_files",
    "format_report",
    "merge_hand",
    "report_csv",
    "report_rows",
    "scenario_yaml",
]
