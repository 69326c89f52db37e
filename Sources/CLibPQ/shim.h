// libpq through Debian's libpq-dev (pkg-config "libpq": the header lives in
// /usr/include/postgresql).
#include <libpq-fe.h>
