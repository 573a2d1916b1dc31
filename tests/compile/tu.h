/* tests/compile/tu.h - what the translation units of the link tests share. */
#ifndef ES_TEST_TU_H
#define ES_TEST_TU_H
#include <stdint.h>
uint64_t tu_impl_work(void);     /* tu_impl.c */
uint64_t tu_static_b(void);      /* static_b.c */
#endif
