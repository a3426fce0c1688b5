"""scenario"""

# the electricity scenario model registers itself with the one loader (sim.scenario.model)
from sim.scenario import electricity as electricity
