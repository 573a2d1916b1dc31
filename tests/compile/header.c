/* tests/compile/header.c - one header (ES_TEST_HEADER, e.g. "es.h") alone in a
   translation unit, with or without ES_IMPLEMENTATION; built by
   tests/test_compile.sh as C99, C11 and C++11 with every warning an error. */
#include ES_TEST_HEADER
int main(void) { return 0; }
