/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The offload-copy authors
 */

#ifndef OCOPY_MBUF_H
#define OCOPY_MBUF_H

/**
 * @file
 * offload_copy helpers for mbuf chains: the data of a chain to a flat
 * buffer, and to another chain, as one op (one completion) each, through
 * ocopy_copy_sg() (a single op when both sides are one segment).
 */

#include <rte_mbuf.h>

#include "ocopy.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Describe len bytes of m from offset off as segments; 0 if it does not
 * fit. Empty mbufs in the chain take no segment.
 */
static inline uint16_t
oc_mbuf_sges(const struct rte_mbuf *m, uint32_t off, uint32_t len,
		struct ocopy_sge *sge)
{
	uint16_t n = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len != 0) {
		uint32_t k = RTE_MIN((uint32_t)(m->data_len - off), len);

		if (k == 0) {
			m = m->next;
			continue;
		}
		if (n == OCOPY_MAX_SGES)
			return 0;
		sge[n].addr = rte_pktmbuf_mtod_offset(m, char *, off);
		sge[n].len = k;
		n++;
		len -= k;
		off = 0;
		m = m->next;
	}
	return len == 0 ? n : 0;
}

/**
 * Copy len bytes of the chain m, from offset off, to the flat buffer dst.
 * @return the op index, -EINVAL (the chain is shorter, more than
 *   OCOPY_MAX_SGES segments, bad arguments) or -ENOSPC.
 */
static inline int
ocopy_mbuf_to_buf(struct ocopy_queue *q, void *dst, const struct rte_mbuf *m,
		uint32_t off, uint32_t len, ocopy_cb_t cb, void *arg,
		uint64_t flags)
{
	struct ocopy_sge src[OCOPY_MAX_SGES], d;
	uint16_t n;

	if (m == NULL || dst == NULL || len == 0)
		return -EINVAL;
	n = oc_mbuf_sges(m, off, len, src);
	if (n == 0)
		return -EINVAL;
	if (n == 1)
		return ocopy_copy(q, dst, src[0].addr, len, cb, arg, flags);
	d.addr = dst;
	d.len = len;
	return ocopy_copy_sg(q, src, n, &d, 1, cb, arg, flags);
}

/**
 * Copy the packet data of chain src into chain dst, whose segments'
 * data_len must already add up to src's pkt_len (rte_pktmbuf_append()).
 * Only data moves: no mbuf field of dst is changed.
 */
static inline int
ocopy_mbuf_to_mbuf(struct ocopy_queue *q, struct rte_mbuf *dst,
		const struct rte_mbuf *src, ocopy_cb_t cb, void *arg,
		uint64_t flags)
{
	struct ocopy_sge s[OCOPY_MAX_SGES], d[OCOPY_MAX_SGES];
	uint16_t ns, nd;

	if (src == NULL || dst == NULL || src->pkt_len == 0 ||
			dst->pkt_len != src->pkt_len)
		return -EINVAL;
	ns = oc_mbuf_sges(src, 0, src->pkt_len, s);
	nd = oc_mbuf_sges(dst, 0, dst->pkt_len, d);
	if (ns == 0 || nd == 0)
		return -EINVAL;
	return ocopy_copy_sg(q, s, ns, d, nd, cb, arg, flags);
}

#ifdef __cplusplus
}
#endif

#endif /* OCOPY_MBUF_H */
