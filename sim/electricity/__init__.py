"""The electricity service: French law (taxes by period, compensation for long cuts, winter truce,
chèque énergie, ARENH), reliability indices (IEEE 1366) and the electricity tariff and bill.

Every figure comes from ``shared/reference/electricity.md`` (section cited where it is used) or is
labelled an assumption.
"""
