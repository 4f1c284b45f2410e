/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

/*
 * Memory registrations and the IOMMU mappings behind them.
 *
 * Every rte_dev_dma_map() is a system call, and under a hypervisor (vIOMMU)
 * a trap to the host that shadows the IOMMU page table: mapping memory one
 * page, one object or one mbuf at a time costs more than the copies it
 * enables (the Linux dma_map_sg lesson: map the list, coalesced, once).
 * So this file maps memory in the fewest, largest segments it can:
 *
 *   registration ──► pieces ──► segments ──► one map per segment per device
 *
 *  - a registration (struct oc_reg) is what the application asked for: a VA
 *    range, the memory chunks of a mempool, or external memory. IOVA is VA
 *    (the library requires --iova-mode=va), so contiguous in VA means
 *    contiguous in IOVA;
 *  - its pieces are its ranges cut at memseg-list boundaries, sorted, and
 *    merged where they overlap or touch inside one memseg list;
 *  - segments (struct oc_seg) are what is mapped: sorted by VA, never
 *    overlapping, each mapped with exactly one call per device and unmapped
 *    with exactly the same (va, len). A registration maps the parts of its
 *    pieces no segment covers yet (the gaps) as new segments and takes a
 *    reference on every existing segment it overlaps. A segment is unmapped
 *    when its last reference goes. Segments are never merged or split
 *    after they are mapped: devices (dma_sw strict, VFIO type1 without
 *    partial unmap) refuse an unmap that does not match one map exactly,
 *    and refuse to map bytes twice.
 *
 * Which devices get maps (struct oc_map_eng.how, decided in oc_map_init()):
 *  - OC_MAP_DEV: the engine's struct rte_device, found on its bus by the
 *    dmadev name, with rte_dev_dma_map()/rte_dev_dma_unmap(). A device
 *    whose bus or driver has no dma_map (rte_errno ENOTSUP on the first
 *    map) needs no mapping: it drops to OC_MAP_NONE, with no error. The
 *    vdev bus answers success without doing anything for a driver without
 *    dma_map (dma_skeleton), so such vdevs are recognised at init instead;
 *  - OC_MAP_VFIO: the default VFIO container, external memory only. That is
 *    the case of a PCI device bound to vfio-pci whose driver has no dma_map
 *    (the PCI bus falls back to the container itself), and of an engine with
 *    no rte_device of its name (an idxd queue named after its work queue)
 *    while VFIO is in use. EAL maps all of its own memory into the default
 *    container (and follows its growth): mapping it again makes the kernel
 *    answer EEXIST, which EAL's rte_vfio_container_dma_map() turns into
 *    success, and unmapping it later would tear down EAL's own mapping. So
 *    internal EAL memory is left alone ("already mapped by EAL, nothing to
 *    undo") and only memory from rte_extmem_register() is mapped. All the
 *    engines behind the container share one mapping: the first such engine
 *    does the calls (and counts them), the others need none;
 *  - OC_MAP_NONE: nothing to do (no IOMMU in the way).
 *
 * A registration is all or nothing: the new segments are mapped engine by
 * engine; on a failure every map it did is undone, in reverse order, and
 * the tables are as before (only the counters show the attempt).
 *
 * External memory this file registered with rte_extmem_register() (struct
 * oc_extmem) is unregistered once no segment lies in it any more, of any
 * instance: a later, overlapping registration may outlive the first one,
 * and another instance may register memory this one brought to EAL (it
 * finds it known to EAL and registers nothing). Those areas are
 * process-wide, under oc_extmem_lock; each segment in one holds it.
 *
 * Threading: control path only. Every entry point takes state->lock (a
 * spinlock: a call may spin while another one maps, which can take a
 * while under a hypervisor). The fast path comes here only through
 * oc_map_node() (a buffer's NUMA node, on a miss of its per-queue cache),
 * which tries the lock and gives up rather than wait.
 * Tables use libc memory: they are small, control-path only, and must be
 * freeable whatever state the DPDK heap is in.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>
#include <rte_vfio.h>

#include <bus_driver.h>
#include <bus_pci_driver.h>
#include <bus_vdev_driver.h>
#include <dev_driver.h>

#include "ocopy_internal.h"

/* Segment lines printed by oc_map_dump(). */
#define OC_MAP_DUMP_SEGS	32

/* A segment's engine mask (uint32_t) holds one bit per engine. */
_Static_assert(OCOPY_MAX_ENGINES <= 32, "struct oc_seg.mapped is 32 bits");

enum oc_map_how {
	OC_MAP_NONE = 0,	/* no mapping needed */
	OC_MAP_DEV,		/* rte_dev_dma_map() on the engine's device */
	OC_MAP_VFIO,		/* default VFIO container, external memory only */
};

enum oc_reg_kind {
	OC_REG_RANGE = 0,
	OC_REG_MEMPOOL,
	OC_REG_EXTERNAL,
};

/* One mapped range; what devices see. Owned by the segment table. */
struct oc_seg {
	uintptr_t va;		/* = IOVA */
	size_t len;
	uint32_t refcnt;	/* registrations using it */
	uint32_t mapped;	/* bit e: mapped on engine e */
	bool external;		/* in a memseg list from rte_extmem_register() */
	int16_t node;		/* NUMA node, -1: unknown (ocopy_numa.c) */
	struct oc_extmem *area;	/* the library's external memory it lies in */
};

/* A VA range of one memseg list, before it becomes segments. */
struct oc_piece {
	uintptr_t va;
	size_t len;
	const struct rte_memseg_list *msl;
};

/* One registration: the segments it holds a reference on, sorted by VA. */
struct oc_reg {
	TAILQ_ENTRY(oc_reg) next;
	int id;
	enum oc_reg_kind kind;
	uintptr_t va;		/* lowest address of its pieces */
	size_t bytes;		/* sum of its pieces */
	uint32_t nb_pieces;
	uint32_t nb_segs;
	struct oc_seg **segs;
	char what[RTE_MEMPOOL_NAMESIZE];	/* mempool name, or "" */
};

/*
 * External memory this file registered with rte_extmem_register(), for
 * every instance: given back to EAL when its last user goes.
 */
struct oc_extmem {
	TAILQ_ENTRY(oc_extmem) next;
	uintptr_t va;
	size_t len;
	uint32_t users;		/* segments in it, of any instance, plus one
				 * while the registration asking for it runs */
	const struct ocopy *owner;	/* the instance that asked for it */
	int reg_id;		/* its registration there; -1: gone */
};

/*
 * The areas, and their lock. Order: an instance's state lock, then this
 * one, then EAL's memory lock (rte_extmem_register() and
 * rte_extmem_unregister() are called under it); never held across a map
 * or unmap call.
 */
static TAILQ_HEAD(oc_extmem_list, oc_extmem) oc_extmem_areas =
	TAILQ_HEAD_INITIALIZER(oc_extmem_areas);
static rte_spinlock_t oc_extmem_lock = RTE_SPINLOCK_INITIALIZER;

/* How one engine gets its mappings, and its counters. */
struct oc_map_eng {
	enum oc_map_how how;
	const char *why;	/* OC_MAP_NONE: the reason, for dump */
	struct ocopy_map_stats st;
};

struct oc_map_state {
	rte_spinlock_t lock;
	uint16_t nb_engines;
	struct oc_map_eng eng[OCOPY_MAX_ENGINES];
	/* Segments sorted by VA, non-overlapping. */
	struct oc_seg **segs;
	uint32_t nb_segs;
	uint32_t cap_segs;
	TAILQ_HEAD(oc_reg_list, oc_reg) regs;	/* oldest first */
	uint32_t nb_regs;
};

static const char *
how_name(enum oc_map_how how)
{
	switch (how) {
	case OC_MAP_DEV:
		return "rte_dev_dma_map";
	case OC_MAP_VFIO:
		return "vfio-container (external memory only)";
	default:
		return "none";
	}
}

static const char *
kind_name(enum oc_reg_kind kind)
{
	switch (kind) {
	case OC_REG_MEMPOOL:
		return "mempool";
	case OC_REG_EXTERNAL:
		return "external";
	default:
		return "range";
	}
}

/* ---- devices ------------------------------------------------------- */

static int
bus_any(const struct rte_bus *bus, const void *data)
{
	RTE_SET_USED(bus);
	RTE_SET_USED(data);
	return 0;
}

static int
dev_has_name(const struct rte_device *dev, const void *name)
{
	return strcmp(rte_dev_name(dev), name);
}

/* The device named like the dmadev, on whichever bus has it. */
static struct rte_device *
find_device(const char *name)
{
	const struct rte_bus *bus = NULL;
	struct rte_device *dev;

	while ((bus = rte_bus_find(bus, bus_any, NULL)) != NULL) {
		if (bus->find_device == NULL)
			continue;
		dev = bus->find_device(NULL, dev_has_name, name);
		if (dev != NULL)
			return dev;
	}
	return NULL;
}

bool
oc_engine_present(const struct oc_engine *e)
{
	struct rte_dma_info info;

	if (rte_dma_info_get(e->dev_id, &info) != 0 ||
			strcmp(info.dev_name, e->name) != 0)
		return false;
	return e->dev == NULL || find_device(e->name) == e->dev;
}

/*
 * Decide how engine i gets its mappings. vfio_owner: the engine that maps
 * into the default VFIO container for all, or -1 while none does.
 */
static void
engine_classify(struct ocopy *oc, struct oc_map_state *ms, uint16_t i,
		int *vfio_owner)
{
	struct oc_engine *e = &oc->engines[i];
	struct oc_map_eng *me = &ms->eng[i];
	struct rte_device *dev;
	bool vfio = false;

	if (e->name[0] == '\0') {
		struct rte_dma_info info;

		if (rte_dma_info_get(e->dev_id, &info) == 0)
			snprintf(e->name, sizeof(e->name), "%s", info.dev_name);
	}
	dev = find_device(e->name);
	e->dev = dev;
	me->how = OC_MAP_NONE;

	if (dev != NULL) {
		const char *bus = rte_bus_name(dev->bus);

		me->how = OC_MAP_DEV;
		if (strcmp(bus, "vdev") == 0) {
			const struct rte_vdev_driver *drv = dev->driver == NULL ? NULL :
				container_of(dev->driver, const struct rte_vdev_driver,
					driver);

			/* The vdev bus says "done" for a driver without dma_map. */
			if (drv == NULL || drv->dma_map == NULL) {
				me->how = OC_MAP_NONE;
				me->why = "its vdev driver has no dma_map";
			}
		} else if (strcmp(bus, "pci") == 0) {
			const struct rte_pci_device *pdev = RTE_DEV_TO_PCI_CONST(dev);

			if (pdev->driver == NULL || pdev->driver->dma_map == NULL) {
				if (pdev->kdrv == RTE_PCI_KDRV_VFIO) {
					vfio = true;
				} else {
					me->how = OC_MAP_NONE;
					me->why = "PCI device not bound to vfio-pci";
				}
			}
		}
	} else if (rte_vfio_is_enabled("vfio")) {
		vfio = true;
	} else {
		me->why = "no device of that name, and VFIO is not in use";
	}

	if (vfio) {
		if (*vfio_owner < 0) {
			me->how = OC_MAP_VFIO;
			*vfio_owner = i;
		} else {
			me->how = OC_MAP_NONE;
			me->why = "shares the VFIO container mapped for an earlier engine";
		}
	}
	me->st.needs_map = me->how != OC_MAP_NONE;
	OC_LOG(DEBUG, "%s: engine %u (%s): mappings: %s%s%s", oc->name, i,
		e->name, how_name(me->how), me->why != NULL ? ", " : "",
		me->why != NULL ? me->why : "");
}

/* Does engine e get a mapping of seg? */
static bool
engine_wants(const struct oc_map_eng *me, const struct oc_seg *seg)
{
	return me->how == OC_MAP_DEV || (me->how == OC_MAP_VFIO && seg->external);
}

/*
 * Map seg on engine i. Returns 0 (mapped, or the engine turned out to need
 * no mapping: not marked in seg->mapped) or -errno.
 */
static int
seg_map(struct ocopy *oc, struct oc_map_state *ms, uint16_t i, struct oc_seg *seg)
{
	struct oc_map_eng *me = &ms->eng[i];
	int ret;

	rte_errno = 0;
	if (me->how == OC_MAP_DEV && !oc_engine_present(&oc->engines[i])) {
		/* Removed: its struct rte_device is gone with it. */
		rte_errno = ENODEV;
		ret = -ENODEV;
	} else if (me->how == OC_MAP_DEV)
		ret = rte_dev_dma_map(oc->engines[i].dev, (void *)seg->va,
				seg->va, seg->len);
	else
		ret = rte_vfio_container_dma_map(RTE_VFIO_DEFAULT_CONTAINER_FD,
				seg->va, seg->va, seg->len);
	if (ret == 0) {
		seg->mapped |= RTE_BIT32(i);
		me->st.maps++;
		me->st.mapped_bytes += seg->len;
		me->st.segments++;
		return 0;
	}
	if (me->how == OC_MAP_DEV && rte_errno == ENOTSUP && me->st.segments == 0) {
		/* Neither the bus nor the driver maps: nothing is needed. */
		me->how = OC_MAP_NONE;
		me->why = "its bus and driver have no dma_map (ENOTSUP)";
		me->st.needs_map = false;
		OC_LOG(INFO, "%s: engine %u (%s) needs no IOMMU mappings: %s",
			oc->name, i, oc->engines[i].name, me->why);
		return 0;
	}
	ret = rte_errno != 0 ? -rte_errno : (ret < 0 ? ret : -EIO);
	me->st.errors++;
	OC_LOG(ERR, "%s: engine %u (%s): map of [0x%" PRIxPTR ", 0x%" PRIxPTR
		") (%zu bytes) failed: %s", oc->name, i, oc->engines[i].name,
		seg->va, seg->va + seg->len, seg->len, strerror(-ret));
	return ret;
}

/* Unmap seg from engine i (where it is mapped). Returns 0 or -errno. */
static int
seg_unmap(struct ocopy *oc, struct oc_map_state *ms, uint16_t i, struct oc_seg *seg)
{
	struct oc_map_eng *me = &ms->eng[i];
	int ret;

	if ((seg->mapped & RTE_BIT32(i)) == 0)
		return 0;
	rte_errno = 0;
	if (me->how == OC_MAP_VFIO) {
		ret = rte_vfio_container_dma_unmap(RTE_VFIO_DEFAULT_CONTAINER_FD,
				seg->va, seg->va, seg->len);
	} else if (!oc_engine_present(&oc->engines[i])) {
		/* Removed, its mappings with it; its struct rte_device is gone. */
		rte_errno = ENODEV;
		ret = -ENODEV;
	} else {
		ret = rte_dev_dma_unmap(oc->engines[i].dev, (void *)seg->va,
				seg->va, seg->len);
	}
	/* Forgotten either way: a failed unmap cannot be retried usefully. */
	seg->mapped &= ~RTE_BIT32(i);
	me->st.mapped_bytes -= seg->len;
	me->st.segments--;
	if (ret == 0) {
		me->st.unmaps++;
		return 0;
	}
	ret = rte_errno != 0 ? -rte_errno : (ret < 0 ? ret : -EIO);
	me->st.errors++;
	OC_LOG(ERR, "%s: engine %u (%s): unmap of [0x%" PRIxPTR ", 0x%" PRIxPTR
		") (%zu bytes) failed: %s", oc->name, i, oc->engines[i].name,
		seg->va, seg->va + seg->len, seg->len, strerror(-ret));
	return ret;
}

/* Unmap seg from every engine, last engine first. First error or 0. */
static int
seg_unmap_all(struct ocopy *oc, struct oc_map_state *ms, struct oc_seg *seg)
{
	int ret = 0, r;
	uint16_t i;

	for (i = ms->nb_engines; i-- > 0; ) {
		r = seg_unmap(oc, ms, i, seg);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

/* ---- the segment table --------------------------------------------- */

/* Index of the first segment ending after va. */
static uint32_t
seg_first_after(const struct oc_map_state *ms, uintptr_t va)
{
	uint32_t lo = 0, hi = ms->nb_segs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct oc_seg *s = ms->segs[mid];

		if (s->va + s->len <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
seg_table_reserve(struct oc_map_state *ms, uint32_t more)
{
	uint32_t cap;
	struct oc_seg **t;

	if (ms->nb_segs + more <= ms->cap_segs)
		return 0;
	if (more > UINT32_MAX / 2 - ms->nb_segs)
		return -ENOMEM;
	cap = RTE_MAX(ms->cap_segs * 2, ms->nb_segs + more);
	cap = RTE_MAX(cap, 16u);
	t = realloc(ms->segs, cap * sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	ms->segs = t;
	ms->cap_segs = cap;
	return 0;
}

/* Insert (room reserved before). */
static void
seg_table_insert(struct oc_map_state *ms, struct oc_seg *seg)
{
	uint32_t i = seg_first_after(ms, seg->va);

	memmove(&ms->segs[i + 1], &ms->segs[i], (ms->nb_segs - i) * sizeof(ms->segs[0]));
	ms->segs[i] = seg;
	ms->nb_segs++;
}

static void
seg_table_remove(struct oc_map_state *ms, struct oc_seg *seg)
{
	uint32_t i = seg_first_after(ms, seg->va);

	/* Always there: segments are removed once, by their last user. */
	if (i >= ms->nb_segs || ms->segs[i] != seg)
		return;
	memmove(&ms->segs[i], &ms->segs[i + 1], (ms->nb_segs - i - 1) * sizeof(ms->segs[0]));
	ms->nb_segs--;
}

/* ---- pieces -------------------------------------------------------- */

struct oc_pieces {
	struct oc_piece *p;
	uint32_t nb;
	uint32_t cap;
	int err;		/* first error while collecting */
};

static int
pieces_add(struct oc_pieces *pc, uintptr_t va, size_t len,
		const struct rte_memseg_list *msl)
{
	if (pc->nb == pc->cap) {
		uint32_t cap = pc->cap ? pc->cap * 2 : 8;
		struct oc_piece *p;

		if (pc->cap > UINT32_MAX / 4)
			return -ENOMEM;
		p = realloc(pc->p, cap * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		pc->p = p;
		pc->cap = cap;
	}
	pc->p[pc->nb++] = (struct oc_piece){ .va = va, .len = len, .msl = msl };
	return 0;
}

/*
 * Whether every page of [va, end), inside memseg list msl, holds memory. A
 * list reserves its whole VA range at init (16 GiB for 2 MiB pages) and
 * EAL allocates pages in it as it needs them, so an address in a list may
 * have nothing behind it; an engine writing there faults. The pages of an
 * external list (rte_extmem_register()) are all in use, as are those of
 * the one list of --no-huge. The fbarray lookup takes the array's lock.
 */
static bool
msl_backed(const struct rte_memseg_list *msl, uintptr_t va, uintptr_t end)
{
	struct rte_fbarray *arr = (struct rte_fbarray *)(uintptr_t)&msl->memseg_arr;
	uintptr_t base = (uintptr_t)msl->base_va;
	int first = (int)((va - base) / msl->page_sz);
	int last = (int)((end - 1 - base) / msl->page_sz);
	int hole = rte_fbarray_find_next_free(arr, first);

	return hole < 0 || hole > last;
}

/*
 * Add [va, va + len) cut at memseg-list boundaries. -EINVAL (logged) when a
 * byte of it lies in no memseg list, or in a page of one that holds no
 * memory: EAL does not hold that memory, no device can map it.
 */
static int
pieces_add_range(const struct ocopy *oc, struct oc_pieces *pc, uintptr_t va,
		size_t len, const char *what)
{
	uintptr_t end = va + len, cur = va;
	int ret;

	if (len == 0 || end < va) {
		OC_LOG(ERR, "%s: %s: range at 0x%" PRIxPTR " of %zu bytes is %s",
			oc->name, what, va, len, len == 0 ? "empty" : "wrapping around");
		return -EINVAL;
	}
	while (cur < end) {
		const struct rte_memseg_list *msl =
			rte_mem_virt2memseg_list((void *)cur);
		uintptr_t msl_end;

		if (msl == NULL) {
			OC_LOG(ERR, "%s: %s: 0x%" PRIxPTR " (in [0x%" PRIxPTR
				", 0x%" PRIxPTR ")) is in no memseg list: not DPDK memory;"
				" register external memory with ocopy_mem_register_external()"
				" or rte_extmem_register() first", oc->name, what, cur, va, end);
			return -EINVAL;
		}
		msl_end = RTE_MIN(end, (uintptr_t)msl->base_va + msl->len);
		if (!msl_backed(msl, cur, msl_end)) {
			OC_LOG(ERR, "%s: %s: [0x%" PRIxPTR ", 0x%" PRIxPTR
				") runs over pages of a memseg list that hold no memory:"
				" not memory DPDK holds", oc->name, what, va, end);
			return -EINVAL;
		}
		ret = pieces_add(pc, cur, msl_end - cur, msl);
		if (ret < 0)
			return ret;
		cur = msl_end;
	}
	return 0;
}

static int
piece_cmp(const void *a, const void *b)
{
	const struct oc_piece *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/* Sort and merge pieces that overlap or touch inside one memseg list. */
static void
pieces_coalesce(struct oc_pieces *pc)
{
	uint32_t i, out = 0;

	if (pc->nb == 0)
		return;
	qsort(pc->p, pc->nb, sizeof(pc->p[0]), piece_cmp);
	for (i = 1; i < pc->nb; i++) {
		struct oc_piece *prev = &pc->p[out];
		const struct oc_piece *cur = &pc->p[i];

		if (cur->msl == prev->msl && cur->va <= prev->va + prev->len) {
			uintptr_t end = RTE_MAX(prev->va + prev->len, cur->va + cur->len);

			prev->len = end - prev->va;
			continue;
		}
		pc->p[++out] = *cur;
	}
	pc->nb = out + 1;
}

/* ---- registering --------------------------------------------------- */

static struct oc_reg *
reg_find(const struct oc_map_state *ms, int id)
{
	struct oc_reg *r;

	TAILQ_FOREACH(r, &ms->regs, next)
		if (r->id == id)
			return r;
	return NULL;
}

static int
reg_new_id(struct oc_map_state *ms)
{
	/*
	 * From one counter for the process: an id names a registration of
	 * one instance, and another instance's ocopy_mem_unregister() finds
	 * nothing under it (-ENOENT) instead of its own registration of the
	 * same number. Unique until the count wraps past INT_MAX.
	 */
	static uint32_t next;
	int id;

	do {
		id = (int)(__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) & INT_MAX);
	} while (reg_find(ms, id) != NULL);
	return id;
}

static int
segp_push(struct oc_seg ***a, uint32_t *nb, uint32_t *cap, struct oc_seg *s)
{
	if (*nb == *cap) {
		uint32_t c = *cap ? *cap * 2 : 8;
		struct oc_seg **t;

		if (*cap > UINT32_MAX / 4)
			return -ENOMEM;
		t = realloc(*a, c * sizeof(*t));
		if (t == NULL)
			return -ENOMEM;
		*a = t;
		*cap = c;
	}
	(*a)[(*nb)++] = s;
	return 0;
}

/*
 * A new segment of external memory: a user of the library's area it lies
 * in, if the library brought that memory to EAL (an area is one memseg
 * list, and a segment lies in one).
 */
static void
extmem_hold(struct oc_seg *s)
{
	struct oc_extmem *x;

	rte_spinlock_lock(&oc_extmem_lock);
	TAILQ_FOREACH(x, &oc_extmem_areas, next)
		if (s->va - x->va < x->len) {
			x->users++;
			s->area = x;
			break;
		}
	rte_spinlock_unlock(&oc_extmem_lock);
}

/* A new segment for [va, va + len) of a piece: not mapped, not in the table. */
static int
plan_new_seg(struct oc_seg ***newv, uint32_t *nb_new, uint32_t *cap_new,
		struct oc_seg ***refv, uint32_t *nb_ref, uint32_t *cap_ref,
		const struct oc_piece *p, uintptr_t va, size_t len)
{
	struct oc_seg *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->va = va;
	s->len = len;
	s->external = p->msl->external != 0;
	s->node = (int16_t)(s->external || p->msl->socket_id < 0 ?
			oc_va_node(va, len) : p->msl->socket_id);
	if (segp_push(newv, nb_new, cap_new, s) < 0) {
		free(s);
		return -ENOMEM;
	}
	return segp_push(refv, nb_ref, cap_ref, s);
}

/*
 * Register the pieces (coalesced): plan (allocations only), map the new
 * segments on every engine, commit. Called with ms->lock held. Returns the
 * registration id or -errno, with nothing changed but counters on failure.
 */
static int
reg_add(struct ocopy *oc, struct oc_map_state *ms, struct oc_pieces *pc,
		enum oc_reg_kind kind, const char *what)
{
	struct oc_seg **newv = NULL, **refv = NULL;
	uint32_t nb_new = 0, cap_new = 0, nb_ref = 0, cap_ref = 0;
	uint32_t i, k, done_segs = 0;
	struct oc_reg *reg = NULL;
	uint16_t e, done_eng = 0;
	size_t bytes = 0;
	int ret = -ENOMEM;

	pieces_coalesce(pc);

	/* Plan: gaps between existing segments become new ones. */
	for (i = 0; i < pc->nb; i++) {
		const struct oc_piece *p = &pc->p[i];
		uintptr_t cur = p->va, end = p->va + p->len;
		uint32_t j = seg_first_after(ms, cur);

		bytes += p->len;
		while (cur < end) {
			struct oc_seg *s = j < ms->nb_segs ? ms->segs[j] : NULL;

			if (s == NULL || s->va >= end) {
				if (plan_new_seg(&newv, &nb_new, &cap_new, &refv,
						&nb_ref, &cap_ref, p, cur, end - cur) < 0)
					goto free_plan;
				break;
			}
			if (s->va > cur && plan_new_seg(&newv, &nb_new, &cap_new,
					&refv, &nb_ref, &cap_ref, p, cur, s->va - cur) < 0)
				goto free_plan;
			/* Pieces are sorted: a shared segment repeats only in a row. */
			if ((nb_ref == 0 || refv[nb_ref - 1] != s) &&
					segp_push(&refv, &nb_ref, &cap_ref, s) < 0)
				goto free_plan;
			cur = s->va + s->len;
			j++;
		}
	}
	reg = calloc(1, sizeof(*reg));
	if (reg == NULL || seg_table_reserve(ms, nb_new) < 0)
		goto free_plan;

	/* Map: engine by engine, each new segment once. */
	for (e = 0; e < ms->nb_engines; e++) {
		for (k = 0; k < nb_new; k++) {
			if (!engine_wants(&ms->eng[e], newv[k]))
				continue;
			ret = seg_map(oc, ms, e, newv[k]);
			if (ret < 0) {
				done_eng = e;
				done_segs = k;
				goto unmap;
			}
		}
	}

	/* Commit: nothing below can fail. */
	for (k = 0; k < nb_new; k++) {
		seg_table_insert(ms, newv[k]);
		if (newv[k]->external)
			extmem_hold(newv[k]);
	}
	for (k = 0; k < nb_ref; k++)
		refv[k]->refcnt++;
	reg->id = reg_new_id(ms);
	reg->kind = kind;
	reg->va = pc->p[0].va;
	reg->bytes = bytes;
	reg->nb_pieces = pc->nb;
	reg->nb_segs = nb_ref;
	reg->segs = refv;
	if (what != NULL)
		snprintf(reg->what, sizeof(reg->what), "%s", what);
	TAILQ_INSERT_TAIL(&ms->regs, reg, next);
	ms->nb_regs++;
	OC_LOG(DEBUG, "%s: registration %d (%s%s%s): %zu bytes in %u piece(s),"
		" %u new segment(s), %u shared", oc->name, reg->id, kind_name(kind),
		reg->what[0] ? " " : "", reg->what, bytes, pc->nb, nb_new,
		nb_ref - nb_new);
	free(newv);
	return reg->id;

unmap:
	/* Undo in reverse: the failing engine's earlier segments, then the
	 * engines before it, last first.
	 */
	OC_LOG(ERR, "%s: %s: mapping failed on engine %u (%s): undoing the %u"
		" new segment(s) of this registration", oc->name, what != NULL ? what :
		kind_name(kind), done_eng, oc->engines[done_eng].name, nb_new);
	for (k = done_segs; k-- > 0; )
		seg_unmap(oc, ms, done_eng, newv[k]);
	for (e = done_eng; e-- > 0; )
		for (k = nb_new; k-- > 0; )
			seg_unmap(oc, ms, e, newv[k]);
free_plan:
	if (ret == -ENOMEM)
		OC_LOG(ERR, "%s: %s: out of memory for the mapping tables",
			oc->name, what != NULL ? what : kind_name(kind));
	for (k = 0; k < nb_new; k++)
		free(newv[k]);
	free(newv);
	free(refv);
	free(reg);
	return ret;
}

/*
 * Drop a use of area x; the last one gives it back to EAL, under the
 * areas' lock: an instance registering that memory meanwhile finds either
 * the area or memory unknown to EAL.
 */
static void
extmem_put(struct oc_extmem *x)
{
	rte_spinlock_lock(&oc_extmem_lock);
	RTE_ASSERT(x->users > 0);
	if (--x->users != 0) {
		rte_spinlock_unlock(&oc_extmem_lock);
		return;
	}
	TAILQ_REMOVE(&oc_extmem_areas, x, next);
	if (rte_extmem_unregister((void *)x->va, x->len) < 0)
		OC_LOG(ERR, "rte_extmem_unregister of [0x%" PRIxPTR ", 0x%" PRIxPTR
			") failed: %s", x->va, x->va + x->len, rte_strerror(rte_errno));
	rte_spinlock_unlock(&oc_extmem_lock);
	free(x);
}

/* Drop a registration: unmap the segments only it used. First error or 0. */
static int
reg_del(struct ocopy *oc, struct oc_map_state *ms, struct oc_reg *reg)
{
	struct oc_extmem *x;
	uint32_t k, freed = 0;
	int ret = 0, r;

	for (k = reg->nb_segs; k-- > 0; ) {
		struct oc_seg *s = reg->segs[k];

		RTE_ASSERT(s->refcnt > 0);
		if (--s->refcnt > 0)
			continue;
		r = seg_unmap_all(oc, ms, s);
		if (r < 0 && ret == 0)
			ret = r;
		seg_table_remove(ms, s);
		/* Unmapped first: then EAL may forget the memory. */
		if (s->area != NULL)
			extmem_put(s->area);
		free(s);
		freed++;
	}
	OC_LOG(DEBUG, "%s: registration %d gone: %u segment(s) unmapped, %u still"
		" shared", oc->name, reg->id, freed, reg->nb_segs - freed);
	rte_spinlock_lock(&oc_extmem_lock);
	TAILQ_FOREACH(x, &oc_extmem_areas, next)
		if (x->owner == oc && x->reg_id == reg->id)
			x->reg_id = -1;
	rte_spinlock_unlock(&oc_extmem_lock);
	TAILQ_REMOVE(&ms->regs, reg, next);
	ms->nb_regs--;
	free(reg->segs);
	free(reg);
	return ret;
}

static struct oc_map_state *
state_of(const struct ocopy *oc, const char *fn)
{
	if (oc == NULL) {
		OC_LOG(ERR, "%s: NULL instance", fn);
		return NULL;
	}
	if (oc->map == NULL) {
		OC_LOG(ERR, "%s: %s: instance has no mapping state", oc->name, fn);
		return NULL;
	}
	return oc->map;
}

int
ocopy_mem_register(struct ocopy *oc, void *addr, size_t len)
{
	struct oc_map_state *ms = state_of(oc, __func__);
	struct oc_pieces pc = { 0 };
	int ret;

	if (ms == NULL)
		return -EINVAL;
	if (addr == NULL) {
		OC_LOG(ERR, "%s: %s: NULL address", oc->name, __func__);
		return -EINVAL;
	}
	rte_spinlock_lock(&ms->lock);
	ret = pieces_add_range(oc, &pc, (uintptr_t)addr, len, "range");
	if (ret == 0)
		ret = reg_add(oc, ms, &pc, OC_REG_RANGE, NULL);
	rte_spinlock_unlock(&ms->lock);
	free(pc.p);
	return ret;
}

struct mp_walk {
	const struct ocopy *oc;
	struct oc_pieces *pc;
};

static void
mp_chunk(struct rte_mempool *mp, void *opaque, struct rte_mempool_memhdr *hdr,
		unsigned int idx)
{
	struct mp_walk *w = opaque;
	char what[RTE_MEMPOOL_NAMESIZE + 32];
	int ret;

	if (w->pc->err != 0)
		return;
	snprintf(what, sizeof(what), "mempool %s chunk %u", mp->name, idx);
	ret = pieces_add_range(w->oc, w->pc, (uintptr_t)hdr->addr, hdr->len, what);
	if (ret < 0)
		w->pc->err = ret;
}

int
ocopy_mem_register_mempool(struct ocopy *oc, struct rte_mempool *mp)
{
	struct oc_map_state *ms = state_of(oc, __func__);
	struct oc_pieces pc = { 0 };
	struct mp_walk w = { .oc = oc, .pc = &pc };
	int ret;

	if (ms == NULL)
		return -EINVAL;
	if (mp == NULL) {
		OC_LOG(ERR, "%s: %s: NULL mempool", oc->name, __func__);
		return -EINVAL;
	}
	if (mp->nb_mem_chunks == 0) {
		OC_LOG(ERR, "%s: mempool %s has no memory (not populated)",
			oc->name, mp->name);
		return -EINVAL;
	}
	rte_spinlock_lock(&ms->lock);
	rte_mempool_mem_iter(mp, mp_chunk, &w);
	ret = pc.err;
	if (ret == 0 && pc.nb == 0)
		ret = -EINVAL;
	if (ret == 0)
		ret = reg_add(oc, ms, &pc, OC_REG_MEMPOOL, mp->name);
	rte_spinlock_unlock(&ms->lock);
	free(pc.p);
	return ret;
}

struct msl_overlap {
	uintptr_t va;
	uintptr_t end;
	size_t covered;
};

static int
msl_overlap_cb(const struct rte_memseg_list *msl, void *arg)
{
	struct msl_overlap *o = arg;
	uintptr_t lo = RTE_MAX(o->va, (uintptr_t)msl->base_va);
	uintptr_t hi = RTE_MIN(o->end, (uintptr_t)msl->base_va + msl->len);

	if (lo < hi)
		o->covered += hi - lo;
	return 0;
}

/*
 * Bring [addr, addr + len) to EAL unless it knows it already: *x the new
 * area, with this call's use, or NULL when EAL knew the memory. Under the
 * areas' lock from EAL's answer to the area's entry: an instance finding
 * the memory known to EAL finds the area too. 0 or -errno (logged).
 */
static int
extmem_area_get(const struct ocopy *oc, void *addr, size_t len, size_t page_sz,
		struct oc_extmem **x)
{
	struct msl_overlap o = { .va = (uintptr_t)addr, .end = (uintptr_t)addr + len };
	int ret = 0;

	*x = NULL;
	rte_spinlock_lock(&oc_extmem_lock);
	/* Memseg lists never overlap each other: bytes covered add up. */
	rte_memseg_list_walk(msl_overlap_cb, &o);
	if (o.covered == len)
		goto unlock;
	if (o.covered != 0) {
		OC_LOG(ERR, "%s: external memory [%p, +%zu): only %zu bytes of it are"
			" known to EAL: register all of it or none", oc->name, addr,
			len, o.covered);
		ret = -EINVAL;
		goto unlock;
	}
	*x = calloc(1, sizeof(**x));
	if (*x == NULL) {
		ret = -ENOMEM;
		goto unlock;
	}
	if (rte_extmem_register(addr, len, NULL, 0, page_sz) == 0) {
		(*x)->va = (uintptr_t)addr;
		(*x)->len = len;
		(*x)->users = 1;	/* the caller's, until its end */
		(*x)->owner = oc;
		(*x)->reg_id = -1;
		TAILQ_INSERT_TAIL(&oc_extmem_areas, *x, next);
		goto unlock;
	}
	if (rte_errno != EEXIST) {
		ret = -rte_errno;
		OC_LOG(ERR, "%s: rte_extmem_register(%p, %zu, page %zu) failed: %s",
			oc->name, addr, len, page_sz, rte_strerror(rte_errno));
	}
	/* EEXIST: registered meanwhile by the application, theirs to undo. */
	free(*x);
	*x = NULL;
unlock:
	rte_spinlock_unlock(&oc_extmem_lock);
	return ret;
}

int
ocopy_mem_register_external(struct ocopy *oc, void *addr, size_t len,
		size_t page_sz)
{
	struct oc_map_state *ms = state_of(oc, __func__);
	struct oc_pieces pc = { 0 };
	struct oc_extmem *x = NULL;
	int ret;

	if (ms == NULL)
		return -EINVAL;
	if (addr == NULL || len == 0 || (uintptr_t)addr + len < (uintptr_t)addr) {
		OC_LOG(ERR, "%s: %s: %s", oc->name, __func__, addr == NULL ?
			"NULL address" : len == 0 ? "zero length" :
			"range wraps around");
		return -EINVAL;
	}
	rte_spinlock_lock(&ms->lock);
	ret = extmem_area_get(oc, addr, len, page_sz, &x);
	if (ret < 0)
		goto unlock;
	ret = pieces_add_range(oc, &pc, (uintptr_t)addr, len, "external memory");
	if (ret == 0)
		ret = reg_add(oc, ms, &pc, OC_REG_EXTERNAL, NULL);
	if (x != NULL) {
		if (ret >= 0) {
			rte_spinlock_lock(&oc_extmem_lock);
			x->reg_id = ret;
			rte_spinlock_unlock(&oc_extmem_lock);
		}
		/* On a failure, the last use: given back to EAL. */
		extmem_put(x);
	}
unlock:
	rte_spinlock_unlock(&ms->lock);
	free(pc.p);
	return ret;
}

int
ocopy_mem_unregister(struct ocopy *oc, int reg_id)
{
	struct oc_map_state *ms = state_of(oc, __func__);
	struct oc_reg *reg;
	int ret;

	if (ms == NULL)
		return -EINVAL;
	rte_spinlock_lock(&ms->lock);
	reg = reg_id < 0 ? NULL : reg_find(ms, reg_id);
	if (reg == NULL) {
		rte_spinlock_unlock(&ms->lock);
		OC_LOG(ERR, "%s: %s: no registration %d", oc->name, __func__, reg_id);
		return -ENOENT;
	}
	ret = reg_del(oc, ms, reg);
	rte_spinlock_unlock(&ms->lock);
	/* The registration is gone even when an unmap failed (logged). */
	return ret == -ENOENT ? -EIO : ret;
}

int
oc_map_node(struct ocopy *oc, uintptr_t va, uintptr_t *lo, size_t *len,
		int *node)
{
	struct oc_map_state *ms = oc->map;
	const struct oc_seg *s;
	uint32_t i;
	int ret = -ENOENT;

	/* Called from the fast path: never wait for a registration. */
	if (ms == NULL || !rte_spinlock_trylock(&ms->lock))
		return -EBUSY;
	i = seg_first_after(ms, va);
	if (i < ms->nb_segs) {
		s = ms->segs[i];
		if (s->va <= va) {
			*lo = s->va;
			*len = s->len;
			*node = s->node;
			ret = 0;
		}
	}
	rte_spinlock_unlock(&ms->lock);
	return ret;
}

int
ocopy_map_stats_get(const struct ocopy *oc, uint16_t engine_idx,
		struct ocopy_map_stats *st)
{
	struct oc_map_state *ms = state_of(oc, __func__);

	if (ms == NULL)
		return -EINVAL;
	if (st == NULL) {
		OC_LOG(ERR, "%s: %s: NULL stats", oc->name, __func__);
		return -EINVAL;
	}
	if (engine_idx >= ms->nb_engines) {
		OC_LOG(ERR, "%s: %s: no engine %u (%u engines)", oc->name, __func__,
			engine_idx, ms->nb_engines);
		return -EINVAL;
	}
	rte_spinlock_lock(&ms->lock);
	*st = ms->eng[engine_idx].st;
	rte_spinlock_unlock(&ms->lock);
	return 0;
}

/* ---- instance lifetime --------------------------------------------- */

int
oc_map_init(struct ocopy *oc)
{
	struct oc_map_state *ms;
	int vfio_owner = -1;
	uint16_t i;

	if (oc->nb_engines > OCOPY_MAX_ENGINES)
		return -EINVAL;
	ms = calloc(1, sizeof(*ms));
	if (ms == NULL) {
		OC_LOG(ERR, "%s: no memory for the mapping state", oc->name);
		return -ENOMEM;
	}
	rte_spinlock_init(&ms->lock);
	TAILQ_INIT(&ms->regs);
	ms->nb_engines = oc->nb_engines;
	for (i = 0; i < oc->nb_engines; i++)
		engine_classify(oc, ms, i, &vfio_owner);
	oc->map = ms;
	return 0;
}

void
oc_map_fini(struct ocopy *oc)
{
	struct oc_map_state *ms = oc->map;
	struct oc_reg *reg;

	if (ms == NULL)
		return;
	rte_spinlock_lock(&ms->lock);
	/* Newest first: the reverse of registration. */
	while ((reg = TAILQ_LAST(&ms->regs, oc_reg_list)) != NULL)
		reg_del(oc, ms, reg);
	rte_spinlock_unlock(&ms->lock);
	/* Every segment belonged to a registration (its area of external
	 * memory, if any, lost a user with it): nothing is left but the tables.
	 */
	RTE_ASSERT(ms->nb_segs == 0);
	free(ms->segs);
	free(ms);
	oc->map = NULL;
}

void
oc_map_dump(const struct ocopy *oc, FILE *f)
{
	struct oc_map_state *ms;
	const struct oc_reg *reg;
	uint32_t k;
	uint16_t i;

	if (oc == NULL || f == NULL || (ms = oc->map) == NULL)
		return;
	rte_spinlock_lock(&ms->lock);
	fprintf(f, "  mappings: %u registration(s), %u segment(s)\n",
		ms->nb_regs, ms->nb_segs);
	for (i = 0; i < ms->nb_engines; i++) {
		const struct oc_map_eng *me = &ms->eng[i];

		fprintf(f, "    engine %u (%s): %s%s%s, maps %" PRIu64 ", unmaps %"
			PRIu64 ", errors %" PRIu64 ", mapped %" PRIu64 " bytes in %u"
			" segment(s)\n", i, oc->engines[i].name, how_name(me->how),
			me->why != NULL ? ": " : "", me->why != NULL ? me->why : "",
			me->st.maps, me->st.unmaps, me->st.errors,
			me->st.mapped_bytes, me->st.segments);
	}
	TAILQ_FOREACH(reg, &ms->regs, next) {
		const struct oc_extmem *x;
		bool owned = false;

		rte_spinlock_lock(&oc_extmem_lock);
		TAILQ_FOREACH(x, &oc_extmem_areas, next)
			owned |= x->owner == oc && x->reg_id == reg->id;
		rte_spinlock_unlock(&oc_extmem_lock);
		fprintf(f, "    registration %d: %s%s%s, %zu bytes from 0x%" PRIxPTR
			" in %u piece(s), %u segment(s)%s\n", reg->id,
			kind_name(reg->kind), reg->what[0] ? " " : "", reg->what,
			reg->bytes, reg->va, reg->nb_pieces, reg->nb_segs,
			owned ? ", rte_extmem_register()ed by us" : "");
	}
	for (k = 0; k < ms->nb_segs && k < OC_MAP_DUMP_SEGS; k++) {
		const struct oc_seg *s = ms->segs[k];

		fprintf(f, "    segment [0x%" PRIxPTR ", 0x%" PRIxPTR ") %zu bytes,"
			" %u reference(s), engines 0x%x%s\n", s->va, s->va + s->len,
			s->len, s->refcnt, s->mapped, s->external ? ", external" : "");
	}
	if (ms->nb_segs > OC_MAP_DUMP_SEGS)
		fprintf(f, "    ... %u more segment(s)\n", ms->nb_segs - OC_MAP_DUMP_SEGS);
	rte_spinlock_unlock(&ms->lock);
}
