/* tests/compile/defaults.c - the C++ way to start from defaults: built by
   tests/test_compile.sh as C++11 with -Wextra -Werror, which makes
   es_desc d = {0} fail (-Wmissing-field-initializers); ES_TEST_ZERO_INIT
   builds that form instead, to show the check would see it. */
#define ES_IMPLEMENTATION
#include "es_mlp.h"

int main(void)
{
#ifdef ES_TEST_ZERO_INIT
    es_desc d = {0};
    es_mlp_desc md = {0};
#else
    es_desc d = es_desc_default();
    es_mlp_desc md = es_mlp_desc_default();
#endif
    es opt;
    es_mlp mlp;
    int ok;
    md.nin = 3;
    md.nout = 2;
    d.npop = 8;
    d.zero = ES_ZERO_WD;
    ok = es_mlp_init(&mlp, &md) == ES_OK && es_init(&opt, &d, NULL, mlp.nparams) == ES_OK && opt.desc.wd == 0.0f;
    if (ok) es_free(&opt);
    return ok ? 0 : 1;
}
