"""Water bills from a tariff: vectorised over households, pure numpy.

A :class:`~sim.scenario.model.Tariff` is data (standing charge, free volume, increasing blocks, seasonal
surcharge, social tariff, levies, VAT). This module turns it into money:

* :func:`bill` bills many households at once and returns a :class:`BillBreakdown`;
* :func:`marginal_price_eur_per_m3` gives the price of the next m3 (the demand's price signal);
* :func:`standing_charge_share_pct` checks the legal standing-charge cap (water.md §3.4);
* :func:`price_120m3_eur_per_m3` is the SISPEA reference indicator D102.0 (water.md §1.1);
* :func:`bill_lines` writes one household's yearly bill line by line, for people to check by hand.

Conventions, shared by every function here (French tariff practice):

* **Free volume is the first slice of consumption.** Block bounds (``up_to_m3``) count from 0, on
  the total volume; the free volume is carved out of the bottom. With 15 m3 free and a first block
  up to 120 m3, a household using 130 m3 pays 0 for 0–15 m3, the first-block price for 15–120 m3
  (105 m3) and the second-block price for the last 10 m3 (Montpellier 2023, water.md §3.3). A block
  lying wholly inside the free volume bills nothing.
* **Proration.** Bounds and free volume are per year (per person too if
  ``tariff.blocks_per_person``); a bill covering ``months`` months scales them, and the standing
  charge, by ``months / 12``. So a half-year bill of half the yearly volume is half the yearly bill.
* **Levies** (redevances de l'agence de l'eau) apply to every m3, the free volume included: the
  service owes them to the water agency on all volume sold.
* **Indexation.** ``price_index`` multiplies every euro price (standing charge, block prices,
  seasonal surcharge, and levies unless ``levies_index`` is given: levies are the water agency's,
  not the service's); it never touches volumes, bounds or VAT rates.
* **Social tariff** (only when ``tariff.social.enabled``, for households flagged ``eligible``).
  Block amounts are always computed at the full tariff price; the social tariff is a separate
  rebate:

  - ``reduced_blocks``: the rebate excl. tax is ``(1 - price_factor)`` of the volume part, i.e.
    block prices times ``price_factor`` (the standing charge, levies and surcharge are not reduced);
  - ``bill_cap``: the bill incl. tax is capped at ``bill_cap_pct_of_income`` % of the income over
    the billed period; the rebate excl. tax brings the bill down to the cap, and VAT is computed on
    the rebated amount, so ``total = total_excl_tax + vat`` still holds.

  :attr:`BillBreakdown.social_rebate_eur` is the rebate incl. tax (what the household saves). It
  is a cost to the service: receipts are ``total_eur``, not the gross bill.

Amounts are not rounded to the cent (round for display only), so the parts add up to the totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.scenario.caps import standing_charge_share_pct  # noqa: F401 - the one rule, re-exported
from sim.scenario.model import Tariff

FloatArray = NDArray[np.float64]

#: reference yearly volume of SISPEA indicator D102.0 and of the standing-charge cap, m3/yr
REFERENCE_VOLUME_M3 = 120.0


@dataclass(frozen=True, eq=False)
class BillBreakdown:
    """Parts of the bills of many households, one float64 value per household.

    All amounts in euros over the billed period, volumes in m3.

    Attributes
    ----------
    standing_eur
        Standing charge (abonnement), excl. tax, prorated to the period.
    free_volume_m3
        Volume billed at 0 (the free slice actually used), m3.
    volume_eur
        Sum over blocks of billed volume × full block price, excl. tax (before any social rebate).
    surcharge_eur
        Seasonal surcharge, excl. tax.
    levies_eur
        Water-agency levies on all the volume, excl. tax.
    social_rebate_eur
        Social-tariff rebate **incl. tax** (what the household saves; a cost to the service).
    total_excl_tax_eur
        ``standing + volume + surcharge + levies - social rebate excl. tax``.
    vat_eur
        VAT on ``total_excl_tax_eur``.
    total_eur
        ``total_excl_tax_eur + vat_eur``: what the household is billed.

    The arrays are rows of one buffer allocated per call (see :func:`bill`); each is a separate,
    writable array.
    """

    standing_eur: FloatArray
    free_volume_m3: FloatArray
    volume_eur: FloatArray
    surcharge_eur: FloatArray
    levies_eur: FloatArray
    social_rebate_eur: FloatArray
    total_excl_tax_eur: FloatArray
    vat_eur: FloatArray
    total_eur: FloatArray


@dataclass(frozen=True)
class _Detail:
    """Per-block volumes and amounts of one computation (for :func:`bill_lines`)."""

    block_volume_m3: list[FloatArray]
    block_amount_eur: list[FloatArray]
    block_bounds_m3: list[tuple[float, float]]  # effective (from, to) per block, after scaling
    rebate_excl_tax_eur: FloatArray


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------
def _nonneg_array(x: ArrayLike, name: str) -> FloatArray:
    """``x`` as a float64 array (at least 1-d); raise if any value is negative, NaN or infinite."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        a = a.reshape(1)
    # two reductions instead of elementwise masks: min is NaN if any value is NaN
    if a.size and not (a.min() >= 0.0 and a.max() < np.inf):
        raise ValueError(f"{name} must hold finite values ≥ 0")
    return a


def _persons_array(persons: ArrayLike) -> FloatArray:
    p = np.asarray(persons, dtype=np.float64)
    if p.size and not (p.min() >= 1.0 and p.max() < np.inf):
        raise ValueError("persons must be finite and ≥ 1")
    return p


def _eligible_mask(
    eligible: ArrayLike | None, tariff: Tariff, shape: tuple[int, ...]
) -> NDArray[np.bool_] | None:
    """Eligibility broadcast to ``shape``, or None when no household gets a social tariff."""
    if eligible is None or not tariff.social.enabled:
        return None
    e = np.broadcast_to(np.asarray(eligible, dtype=bool), shape)
    return e if e.any() else None


# --------------------------------------------------------------------------------------------
# the bill
# --------------------------------------------------------------------------------------------
# rows of the workspace of :func:`_compute`: the nine outputs, then scratch rows
_ROWS = (
    "standing",
    "free",
    "volume",
    "surcharge",
    "levies",
    "rebate_ttc",
    "excl",
    "vat",
    "total",
    "u",
    "scale",
    "tmp",
    "rebate_x",
    "cap",
)


def _compute(
    volume_m3: ArrayLike,
    persons: ArrayLike,
    tariff: Tariff,
    *,
    months: int,
    season_volume_m3: ArrayLike | None,
    eligible: ArrayLike | None,
    income_eur_per_year: ArrayLike | None,
    price_index: float,
    detail: bool,
    levies_index: float | None = None,
) -> tuple[BillBreakdown, _Detail | None]:
    """Bill computation shared by :func:`bill` and :func:`bill_lines`.

    The total excl. tax is accumulated in line order (standing, blocks, surcharge, levies, rebate)
    so that the lines of :func:`bill_lines` add up to it exactly, in floating point too.

    Every array lives in one workspace allocated at once: a single multi-megabyte allocation gets
    huge pages, where a dozen separate ones each page-fault in fresh memory (for 100,000
    households that alone cost ~2.5 ms, ten times the arithmetic).
    """
    _check_period(months, price_index)
    v = _nonneg_array(volume_m3, "volume_m3")
    shape = v.shape
    period = months / 12.0  # share of a year
    ws = np.empty((len(_ROWS), *shape))
    row = dict(zip(_ROWS, ws, strict=True))
    scale, u = _scaled_use(v, persons, tariff, period, row)
    unscaled = isinstance(scale, float) and scale == 1.0
    free_m3 = _free_volume(u, tariff.free_volume_m3, scale, unscaled, row["free"])

    standing_eur = row["standing"]
    standing = tariff.standing_charge_eur_per_year * period * price_index
    standing_eur.fill(standing)
    excl = row["excl"]
    excl.fill(standing)  # = standing_eur, without reading it again
    det = _blocks(u, tariff, scale, unscaled, price_index, excl, row, detail)
    surcharge_eur = _surcharge(v, season_volume_m3, tariff.seasonal.eur_per_m3 * price_index, excl, row)
    li = price_index if levies_index is None else levies_index
    levies_eur = np.multiply(v, tariff.levies_eur_per_m3 * li, out=row["levies"])
    excl += levies_eur

    rate = tariff.vat_pct / 100.0
    rebate_x = row["rebate_x"]  # rebate excl. tax
    elig = _eligible_mask(eligible, tariff, shape)
    if elig is not None or detail:
        rebate_x.fill(0.0)
    if elig is not None:
        _social_rebate(tariff, elig, income_eur_per_year, period, rate, row)
        excl -= rebate_x

    vat_eur = np.multiply(excl, rate, out=row["vat"])
    total_eur = np.add(excl, vat_eur, out=row["total"])
    rebate_ttc = row["rebate_ttc"]
    if elig is not None:
        np.multiply(rebate_x, rate, out=rebate_ttc)
        rebate_ttc += rebate_x
    else:
        rebate_ttc.fill(0.0)

    bd = BillBreakdown(
        standing_eur=standing_eur,
        free_volume_m3=free_m3,
        volume_eur=row["volume"],
        surcharge_eur=surcharge_eur,
        levies_eur=levies_eur,
        social_rebate_eur=rebate_ttc,
        total_excl_tax_eur=excl,
        vat_eur=vat_eur,
        total_eur=total_eur,
    )
    if det is None:
        return bd, None
    return bd, _Detail(det[0], det[1], det[2], rebate_x.copy())


def _check_period(months: int, price_index: float) -> None:
    if int(months) != months or months < 1:
        raise ValueError(f"months must be a whole number ≥ 1, got {months}")
    if not (price_index >= 0.0 and price_index < np.inf):
        raise ValueError(f"price_index must be finite and ≥ 0, got {price_index}")


def _scaled_use(
    v: FloatArray, persons: ArrayLike, tariff: Tariff, period: float, row: dict[str, FloatArray]
) -> tuple[float | FloatArray, FloatArray]:
    """The scale of bounds and free volume, and the use on that scale.

    The scale is the period, times persons if per person. Bounds and free volume are compared on
    u = v / scale (volume per scaled unit) so each block is one clip with scalar bounds; the billed
    volume is then (clip(u) - lower) * scale.
    """
    if tariff.blocks_per_person:
        scale = np.multiply(np.broadcast_to(_persons_array(persons), v.shape), period, out=row["scale"])
        return scale, np.divide(v, scale, out=row["u"])
    return period, v if period == 1.0 else np.divide(v, period, out=row["u"])


def _free_volume(
    u: FloatArray, free: float, scale: float | FloatArray, unscaled: bool, out: FloatArray
) -> FloatArray:
    """The free slice each household actually used, m3."""
    if free > 0.0:
        np.minimum(u, free, out=out)
        if not unscaled:
            out *= scale
    else:
        out.fill(0.0)
    return out


def _blocks(
    u: FloatArray,
    tariff: Tariff,
    scale: float | FloatArray,
    unscaled: bool,
    price_index: float,
    excl: FloatArray,
    row: dict[str, FloatArray],
    detail: bool,
) -> tuple[list[FloatArray], list[FloatArray], list[tuple[float, float]]] | None:
    """Bill the blocks into ``row["volume"]`` and add them to ``excl``; the per-block detail if asked.

    The free slice comes off the bottom of the blocks; the first billed block is copied into the
    volume amount rather than added to 0 (the same floats as before, exactly).
    """
    tmp, volume_eur = row["tmp"], row["volume"]
    free = tariff.free_volume_m3
    volume_started = False
    vols: list[FloatArray] = []
    amts: list[FloatArray] = []
    bounds: list[tuple[float, float]] = []
    lower = 0.0
    for block in tariff.blocks:
        upper = np.inf if block.up_to_m3 is None else float(block.up_to_m3)
        lo = max(lower, free)
        price = block.price_eur_per_m3 * price_index
        lower_prev, lower = lower, upper
        if detail:
            scl = scale if isinstance(scale, float) else float(np.max(scale))
            shown_lo = lo if lo < upper else lower_prev  # a wholly free block: its own range
            bounds.append((shown_lo * scl, upper * scl))
        if lo >= upper or (price == 0.0 and not detail):
            if detail:
                vols.append(np.zeros(u.shape))
                amts.append(np.zeros(u.shape))
            continue
        if not (volume_started or detail):  # the first billed block straight into the volume part
            _block_amount(u, lo, upper, price, scale, unscaled, volume_eur, None)
            excl += volume_eur
            volume_started = True
            continue
        _block_amount(u, lo, upper, price, scale, unscaled, tmp, vols if detail else None)
        if detail:
            amts.append(tmp.copy())
        excl += tmp
        if volume_started:
            volume_eur += tmp
        else:
            volume_eur[...] = tmp  # = 0.0 + tmp, exactly
            volume_started = True
    if not volume_started:
        volume_eur.fill(0.0)
    return (vols, amts, bounds) if detail else None


def _block_amount(
    u: FloatArray,
    lo: float,
    upper: float,
    price: float,
    scale: float | FloatArray,
    unscaled: bool,
    out: FloatArray,
    vols: list[FloatArray] | None,
) -> None:
    """The amount of one block into ``out``: (clip(u, lo, upper) - lo) · scale · price."""
    if upper == np.inf:
        np.maximum(u, lo, out=out)
    else:
        np.clip(u, lo, upper, out=out)
    if lo != 0.0:
        out -= lo
    if not unscaled:
        out *= scale  # billed volume, m3
    if vols is not None:
        vols.append(out.copy())
    out *= price  # amount, €


def _surcharge(
    v: FloatArray,
    season_volume_m3: ArrayLike | None,
    rate: float,
    excl: FloatArray,
    row: dict[str, FloatArray],
) -> FloatArray:
    """The seasonal surcharge on the season's volume, added to ``excl``."""
    surcharge_eur, tmp = row["surcharge"], row["tmp"]
    if season_volume_m3 is None or rate <= 0.0:
        surcharge_eur.fill(0.0)
        return surcharge_eur
    sv = np.broadcast_to(_nonneg_array(season_volume_m3, "season_volume_m3"), v.shape)
    np.subtract(sv, v, out=tmp)
    if v.size and tmp.max() > 1e-12 * (1.0 + float(v.max())):  # allow the caller's rounding
        raise ValueError("season_volume_m3 cannot exceed volume_m3")
    np.multiply(sv, rate, out=surcharge_eur)
    excl += surcharge_eur
    return surcharge_eur


def _social_rebate(
    tariff: Tariff,
    elig: NDArray[np.bool_],
    income_eur_per_year: ArrayLike | None,
    period: float,
    rate: float,
    row: dict[str, FloatArray],
) -> None:
    """The social tariff's rebate excl. tax into ``row["rebate_x"]`` (see the module docstring)."""
    social = tariff.social
    rebate_x, excl = row["rebate_x"], row["excl"]
    if social.kind == "reduced_blocks":
        np.multiply(row["volume"], 1.0 - social.price_factor, out=rebate_x, where=elig)
        return
    # bill_cap
    if income_eur_per_year is None:
        raise ValueError("income_eur_per_year is needed for a bill_cap social tariff")
    income = np.broadcast_to(np.asarray(income_eur_per_year, dtype=np.float64), excl.shape)
    if np.isnan(income[elig]).any():
        raise ValueError("income_eur_per_year is NaN for an eligible household")
    cap_ttc = np.multiply(income, social.bill_cap_pct_of_income / 100.0 * period, out=row["cap"])
    np.maximum(cap_ttc, 0.0, out=cap_ttc)
    gross_ttc = np.multiply(excl, rate, out=row["tmp"])
    gross_ttc += excl  # same arithmetic as the uncapped total: excl + excl * rate
    over = elig & (gross_ttc > cap_ttc)
    # bring the bill excl. tax down to cap / (1 + VAT); VAT then follows on the rest
    cap_ttc /= 1.0 + rate
    np.subtract(excl, cap_ttc, out=rebate_x, where=over)


def bill(
    volume_m3: ArrayLike,
    persons: ArrayLike,
    tariff: Tariff,
    *,
    months: int = 12,
    season_volume_m3: ArrayLike | None = None,
    eligible: ArrayLike | None = None,
    income_eur_per_year: ArrayLike | None = None,
    price_index: float = 1.0,
    levies_index: float | None = None,
) -> BillBreakdown:
    """Bill many households over a period of ``months`` months.

    Parameters
    ----------
    volume_m3 : array of float, m3
        Volume used by each household over the billed period (≥ 0).
    persons : int or array of int, persons
        Household size; used only when ``tariff.blocks_per_person`` (bounds and free volume are
        then multiplied by it). Must be ≥ 1 then.
    tariff : Tariff
        The tariff (prices excl. tax, bounds and free volume per year).
    months : int, months
        Length of the billed period; bounds, free volume and standing charge are prorated by
        ``months / 12``.
    season_volume_m3 : array of float, m3, optional
        Part of ``volume_m3`` used in the season months, which bears the seasonal surcharge.
        None means no season volume (no surcharge).
    eligible : array of bool, optional
        Households that receive the social tariff (ignored if ``tariff.social.enabled`` is false).
    income_eur_per_year : array of float, €/yr, optional
        Household income; needed only for eligible households under a ``bill_cap`` social tariff.
    price_index : float, ×
        Multiplier on every euro price (yearly indexation); 1 for the tariff as written.
    levies_index : float, ×, optional
        Multiplier on the water-agency levies, which the service does not set (the engine passes
        the consumer-price index); defaults to ``price_index``.

    Returns
    -------
    BillBreakdown
        One value per household for each part; ``total_eur`` is what is billed.

    Notes
    -----
    The free volume is the first slice of consumption and block bounds count from 0 (see the module
    docstring): with 15 m3 free and a first block up to 120 m3, 130 m3 bills 105 m3 in the first
    block and 10 m3 in the second. Levies apply to all the volume, the free volume included.
    The social rebate (incl. tax) is ``social_rebate_eur``; ``total_excl_tax_eur`` already has the
    rebate excl. tax taken off, and ``total_eur = total_excl_tax_eur + vat_eur``.

    Cost: about a dozen vectorised passes plus five per block; no Python loop over households.
    """
    bd, _ = _compute(
        volume_m3,
        persons,
        tariff,
        months=months,
        season_volume_m3=season_volume_m3,
        eligible=eligible,
        income_eur_per_year=income_eur_per_year,
        price_index=price_index,
        detail=False,
        levies_index=levies_index,
    )
    return bd


# --------------------------------------------------------------------------------------------
# marginal price, reference indicators
# --------------------------------------------------------------------------------------------
def marginal_price_eur_per_m3(
    volume_m3_per_year: ArrayLike,
    persons: ArrayLike,
    tariff: Tariff,
    *,
    eligible: ArrayLike | None = None,
    price_index: float = 1.0,
    levies_index: float | None = None,
) -> FloatArray:
    """Price of the next m3, incl. levies and VAT, for households using a yearly volume.

    Parameters
    ----------
    volume_m3_per_year : array of float, m3/yr
        Yearly volume of each household.
    persons : int or array of int, persons
        Household size (used when ``tariff.blocks_per_person``).
    tariff : Tariff
    eligible : array of bool, optional
        Households on the social tariff; under ``reduced_blocks`` their block price is multiplied
        by ``price_factor``.
    price_index : float, ×
        Multiplier on euro prices.

    Returns
    -------
    array of float, €/m3
        ``(block price + levies) × (1 + VAT)``, where the block price is that of the block holding
        the next m3 (at a bound, the next block) and 0 inside the free volume. The seasonal
        surcharge is not included (it depends on the month). A ``bill_cap`` social tariff does not
        change the price signal here (whether the cap binds depends on income).
    """
    if not (price_index >= 0.0 and price_index < np.inf):
        raise ValueError(f"price_index must be finite and ≥ 0, got {price_index}")
    v = _nonneg_array(volume_m3_per_year, "volume_m3_per_year")
    if tariff.blocks_per_person:
        u = v / np.broadcast_to(_persons_array(persons), v.shape)
    else:
        u = v
    blocks = tariff.blocks
    price = np.full(v.shape, blocks[-1].price_eur_per_m3 * price_index)
    # from the top block down, so the lowest bound above u sets the price (u at a bound: next block)
    for block in reversed(blocks[:-1]):
        bound = cast(float, block.up_to_m3)  # inner blocks always have a bound (validated)
        np.copyto(price, block.price_eur_per_m3 * price_index, where=u < bound)
    if tariff.free_volume_m3 > 0.0:
        np.copyto(price, 0.0, where=u < tariff.free_volume_m3)
    elig = _eligible_mask(eligible, tariff, v.shape)
    if elig is not None and tariff.social.kind == "reduced_blocks":
        np.multiply(price, tariff.social.price_factor, out=price, where=elig)
    price += tariff.levies_eur_per_m3 * (price_index if levies_index is None else levies_index)
    price *= 1.0 + tariff.vat_pct / 100.0
    return price


def price_120m3_eur_per_m3(
    tariff: Tariff, persons: int, price_index: float = 1.0, levies_index: float | None = None
) -> float:
    """SISPEA indicator D102.0: the yearly bill incl. tax for 120 m3, divided by 120, in €/m3.

    Standing charge, blocks, levies and VAT over 12 months; no season volume, no social tariff.
    """
    bd = bill(
        np.array([REFERENCE_VOLUME_M3]), persons, tariff, price_index=price_index, levies_index=levies_index
    )
    return float(bd.total_eur[0]) / REFERENCE_VOLUME_M3


# --------------------------------------------------------------------------------------------
# a bill people can read
# --------------------------------------------------------------------------------------------
def _num(x: float, lang: str) -> str:
    """A number with at most 2 decimals, no trailing zeros; decimal comma in French."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") if lang == "fr" else s


def _block_labels(i: int, lo: float, hi: float, n_blocks: int) -> tuple[str, str]:
    if hi == np.inf:
        if n_blocks == 1 and lo == 0.0:
            return "Tranche unique", "Single block"
        return (f"Tranche {i} (au-delà de {_num(lo, 'fr')} m3)", f"Block {i} (over {_num(lo, 'en')} m3)")
    return (
        f"Tranche {i} ({_num(lo, 'fr')}–{_num(hi, 'fr')} m3)",
        f"Block {i} ({_num(lo, 'en')}–{_num(hi, 'en')} m3)",
    )


def _line(
    key: str, fr: str, en: str, volume: float | None, unit: float | None, amount: float
) -> dict[str, Any]:
    return {
        "key": key,
        "label_fr": fr,
        "label_en": en,
        "volume_m3": volume,
        "unit_price_eur": unit,
        "amount_eur": amount,
    }


def bill_lines(
    tariff: Tariff,
    volume_m3: float,
    persons: int = 1,
    *,
    eligible: bool = False,
    income_eur_per_year: float | None = None,
    price_index: float = 1.0,
) -> list[dict[str, Any]]:
    """One household's yearly bill, line by line, to check by hand.

    Parameters
    ----------
    tariff : Tariff
    volume_m3 : float, m3/yr
        Yearly volume.
    persons : int, persons
        Household size (for per-person blocks).
    eligible : bool
        Whether the household receives the social tariff (if the tariff has one).
    income_eur_per_year : float, €/yr, optional
        Needed when eligible under a ``bill_cap`` social tariff.
    price_index : float, ×
        Multiplier on euro prices.

    Returns
    -------
    list of dict
        Each line has ``key`` (``standing``, ``free_volume``, ``block_1``…, ``surcharge``,
        ``levies``, ``social_rebate``, ``total_excl_tax``, ``vat``, ``total``), ``label_fr``,
        ``label_en``, ``volume_m3`` (m3 or None), ``unit_price_eur`` (€ or €/m3, or None) and
        ``amount_eur`` (€). The lines before ``total_excl_tax`` add up to it exactly (in that
        order), and ``total_excl_tax + vat == total``; these totals are those of :func:`bill` for
        the same inputs. Every block is listed (with 0 m3 if not reached), bounds shown for this
        household (after per-person scaling, from the top of the free volume). ``free_volume``
        appears only if the tariff has one, ``surcharge`` only if it has a seasonal surcharge
        (with 0 m3: a yearly bill here carries no season volume), ``social_rebate`` only for an
        eligible household of a social tariff; its amount is the rebate excl. tax, negative.
        Amounts are not rounded.
    """
    bd, det = _compute(
        np.array([float(volume_m3)]),
        persons,
        tariff,
        months=12,
        season_volume_m3=None,
        eligible=np.array([bool(eligible)]),
        income_eur_per_year=(None if income_eur_per_year is None else np.array([float(income_eur_per_year)])),
        price_index=price_index,
        detail=True,
    )
    assert det is not None
    lines = [
        _line(
            "standing",
            "Abonnement (part fixe)",
            "Standing charge (fixed part)",
            None,
            tariff.standing_charge_eur_per_year * price_index,
            float(bd.standing_eur[0]),
        )
    ]
    if tariff.free_volume_m3 > 0.0:
        lines.append(
            _line("free_volume", "Volume gratuit", "Free volume", float(bd.free_volume_m3[0]), 0.0, 0.0)
        )
    n = len(tariff.blocks)
    for i, block in enumerate(tariff.blocks, start=1):
        lo, hi = det.block_bounds_m3[i - 1]
        fr, en = _block_labels(i, lo, hi, n)
        lines.append(
            _line(
                f"block_{i}",
                fr,
                en,
                float(det.block_volume_m3[i - 1][0]),
                block.price_eur_per_m3 * price_index,
                float(det.block_amount_eur[i - 1][0]),
            )
        )
    if tariff.seasonal.eur_per_m3 > 0.0:
        lines.append(
            _line(
                "surcharge",
                "Majoration saisonnière",
                "Seasonal surcharge",
                0.0,
                tariff.seasonal.eur_per_m3 * price_index,
                0.0,
            )
        )
    lines.append(
        _line(
            "levies",
            "Redevances agence de l'eau",
            "Water-agency levies",
            float(volume_m3),
            tariff.levies_eur_per_m3 * price_index,
            float(bd.levies_eur[0]),
        )
    )
    if tariff.social.enabled and eligible:
        lines.append(
            _line(
                "social_rebate",
                "Remise tarif social",
                "Social tariff rebate",
                None,
                None,
                -float(det.rebate_excl_tax_eur[0]),
            )
        )
    vat = tariff.vat_pct
    lines += [
        _line("total_excl_tax", "Total HT", "Total excl. VAT", None, None, float(bd.total_excl_tax_eur[0])),
        _line(
            "vat", f"TVA {_num(vat, 'fr')} %", f"VAT {_num(vat, 'en')} %", None, None, float(bd.vat_eur[0])
        ),
        _line("total", "Total TTC", "Total incl. VAT", None, None, float(bd.total_eur[0])),
    ]
    return lines
