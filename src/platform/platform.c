#include "platform/platform.h"
#include "platform/cpus.h"

#include <errno.h>
#include <string.h>

extern const struct platform_ops ptrace_platform;
int ptrace_platform_init(int memfd);

const struct platform_ops *platform;
struct plat_special platform_special[PLAT_SPECIAL_MAX];
int platform_nspecial;
uint64_t platform_vdso;

int platform_init(const char *name, int memfd)
{
	cpus_init();
	if (!name || strcmp(name, "ptrace") == 0) {
		platform = &ptrace_platform;
		return ptrace_platform_init(memfd);
	}
	return -EINVAL;
}
