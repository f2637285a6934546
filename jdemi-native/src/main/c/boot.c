/*
 * jdemi-native: starting (or joining) the JVM inside a C process and installing the Java side's entry points.
 *
 * The JVM is found at run time, not linked: libjvm.so is dlopen'ed from $JDEMI_JAVA_HOME, else from the first JDK
 * 25+ among $JAVA_HOME, the JDK the library was built with and /usr/lib/jvm/temurin-25-jdk-amd64. Its class path is
 * $JDEMI_CLASSPATH, else every jar in the jdemi/ directory next to libdemikernel.so. When the process already runs a
 * JVM (a Java program that loaded this library), that JVM is used. Once the class dev.jdemi.nativeabi.NativeAbi is
 * loaded, its install method fills the entry table with FFM upcall stubs, and every later call goes straight through
 * those function pointers.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jdemi_abi.h"

#ifndef JDEMI_BUILD_JAVA_HOME
#define JDEMI_BUILD_JAVA_HOME ""
#endif
/* Where Debian's Temurin 25 package puts the JDK. */
#define JDEMI_TEMURIN_HOME "/usr/lib/jvm/temurin-25-jdk-amd64"
/* jdemi's classes are compiled for Java 25. */
#define JDEMI_MIN_JAVA 25

#define ABI_CLASS "dev/jdemi/nativeabi/NativeAbi"
#define ABI_CLASS_DOTS "dev.jdemi.nativeabi.NativeAbi"
#define MAX_JVM_OPTIONS 64

typedef jint(JNICALL *create_vm_fn)(JavaVM **, void **, void *);
typedef jint(JNICALL *created_vms_fn)(JavaVM **, jsize, jsize *);

static pthread_mutex_t boot_lock = PTHREAD_MUTEX_INITIALIZER;
/* Guarded by boot_lock: whether the entry table is installed. A failed boot is tried again by the next demi_init. */
static int booted;

static void report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("jdemi: demi_init: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A growable string; a failed allocation leaves it NULL and every later append a no-op. */
struct text
{
    char *s;
    size_t len;
    size_t cap;
    int failed;
};

static void append(struct text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->failed)
    {
        return;
    }
    if (t->len + n + 1 > t->cap)
    {
        size_t cap = (t->len + n + 1) * 2;
        char *grown = realloc(t->s, cap);
        if (grown == NULL)
        {
            free(t->s);
            t->s = NULL;
            t->failed = 1;
            return;
        }
        t->s = grown;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

/* The directory that holds this library, resolved: "<prefix>/lib". */
static int library_dir(char *out, size_t size)
{
    Dl_info info;
    char resolved[PATH_MAX];
    if (dladdr((void *)&jdemi_boot, &info) == 0 || info.dli_fname == NULL ||
        realpath(info.dli_fname, resolved) == NULL)
    {
        return -1;
    }
    char *slash = strrchr(resolved, '/');
    if (slash == NULL)
    {
        return -1;
    }
    *slash = '\0';
    if ((size_t)snprintf(out, size, "%s", resolved) >= size)
    {
        return -1;
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* $JDEMI_CLASSPATH, else the jars of <library dir>/jdemi in name order. The caller frees the result. */
static char *class_path(void)
{
    const char *env = getenv("JDEMI_CLASSPATH");
    if (env != NULL && env[0] != '\0')
    {
        return strdup(env);
    }
    char dir[PATH_MAX];
    char jars[PATH_MAX + 8];
    if (library_dir(dir, sizeof(dir)) != 0)
    {
        report("cannot tell where libdemikernel.so lies; set JDEMI_CLASSPATH to jdemi's jars");
        return NULL;
    }
    snprintf(jars, sizeof(jars), "%s/jdemi", dir);
    DIR *d = opendir(jars);
    if (d == NULL)
    {
        report("cannot open %s (%s), where jdemi's jars should be; set JDEMI_CLASSPATH", jars, strerror(errno));
        return NULL;
    }
    char *names[256];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < sizeof(names) / sizeof(names[0]))
    {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".jar") == 0)
        {
            names[count] = strdup(e->d_name);
            if (names[count] != NULL)
            {
                count++;
            }
        }
    }
    closedir(d);
    if (count == 0)
    {
        report("%s holds no jar; set JDEMI_CLASSPATH to jdemi's jars", jars);
        return NULL;
    }
    qsort(names, count, sizeof(names[0]), compare_names);
    struct text cp = {0};
    for (size_t i = 0; i < count; i++)
    {
        if (i > 0)
        {
            append(&cp, ":");
        }
        append(&cp, jars);
        append(&cp, "/");
        append(&cp, names[i]);
        free(names[i]);
    }
    return cp.s;
}

/* The feature release of the JDK at `home` from its `release` file (25 for JAVA_VERSION="25.0.1"), or 0. */
static int jdk_release(const char *home)
{
    char path[PATH_MAX];
    char line[256];
    int major = 0;
    if ((size_t)snprintf(path, sizeof(path), "%s/release", home) >= sizeof(path))
    {
        return 0;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL)
    {
        return 0;
    }
    while (major == 0 && fgets(line, sizeof(line), f) != NULL)
    {
        if (strncmp(line, "JAVA_VERSION=\"", 14) == 0)
        {
            major = atoi(line + 14);
        }
    }
    fclose(f);
    return major;
}

/*
 * Finds the libjvm.so of a JDK 25 or later: $JDEMI_JAVA_HOME (used as given, no fallback), else the first of
 * $JAVA_HOME, the JDK the library was built with and Temurin 25's Debian path that holds a JDK 25+.
 */
static int find_libjvm(char *out, size_t size)
{
    const char *explicit_home = getenv("JDEMI_JAVA_HOME");
    if (explicit_home != NULL && explicit_home[0] != '\0')
    {
        if ((size_t)snprintf(out, size, "%s/lib/server/libjvm.so", explicit_home) < size && access(out, R_OK) == 0)
        {
            return 0;
        }
        report("JDEMI_JAVA_HOME=%s has no lib/server/libjvm.so; point it at a JDK %d or later", explicit_home,
               JDEMI_MIN_JAVA);
        return -1;
    }
    const char *java_home = getenv("JAVA_HOME");
    const char *homes[] = {java_home, JDEMI_BUILD_JAVA_HOME, JDEMI_TEMURIN_HOME};
    for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++)
    {
        if (homes[i] == NULL || homes[i][0] == '\0')
        {
            continue;
        }
        int release = jdk_release(homes[i]);
        if ((size_t)snprintf(out, size, "%s/lib/server/libjvm.so", homes[i]) < size && access(out, R_OK) == 0 &&
            release >= JDEMI_MIN_JAVA)
        {
            return 0;
        }
        if (i == 0)
        {
            fprintf(stderr, "jdemi: demi_init: JAVA_HOME=%s is not a JDK %d+ (release %d); looking further\n",
                    homes[i], JDEMI_MIN_JAVA, release);
        }
    }
    report("cannot find a JDK %d or later (lib/server/libjvm.so): tried JAVA_HOME=%s, %s and %s; set JAVA_HOME or "
           "JDEMI_JAVA_HOME to one",
           JDEMI_MIN_JAVA, java_home == NULL ? "(unset)" : java_home, JDEMI_BUILD_JAVA_HOME, JDEMI_TEMURIN_HOME);
    return -1;
}

/* Splits $JDEMI_JVM_OPTS at blanks into options[*count..]; the copy stays allocated for the JVM's lifetime. */
static void user_options(JavaVMOption *options, int *count)
{
    const char *env = getenv("JDEMI_JVM_OPTS");
    if (env == NULL)
    {
        return;
    }
    char *copy = strdup(env);
    char *save = NULL;
    for (char *tok = copy == NULL ? NULL : strtok_r(copy, " \t\n", &save); tok != NULL && *count < MAX_JVM_OPTIONS;
         tok = strtok_r(NULL, " \t\n", &save))
    {
        options[(*count)++].optionString = tok;
    }
}

static int create_vm(void *libjvm, const char *cp, JavaVM **vm, JNIEnv **env)
{
    create_vm_fn create = (create_vm_fn)dlsym(libjvm, "JNI_CreateJavaVM");
    if (create == NULL)
    {
        report("libjvm.so has no JNI_CreateJavaVM");
        return EIO;
    }
    struct text cp_option = {0};
    append(&cp_option, "-Djava.class.path=");
    append(&cp_option, cp);
    if (cp_option.failed)
    {
        return ENOMEM;
    }
    JavaVMOption options[MAX_JVM_OPTIONS];
    memset(options, 0, sizeof(options));
    int count = 0;
    options[count++].optionString = cp_option.s;
    /* jdemi calls native code through FFM; without this every restricted call prints a warning. */
    options[count++].optionString = "--enable-native-access=ALL-UNNAMED";
    /* Leave SIGINT, SIGTERM, SIGHUP and SIGQUIT to the C program, whose handlers Demikernel's examples install. */
    options[count++].optionString = "-Xrs";
    /* No /tmp/hsperfdata file for every C process. */
    options[count++].optionString = "-XX:-UsePerfData";
    user_options(options, &count);
    JavaVMInitArgs args;
    args.version = JNI_VERSION_10;
    args.nOptions = count;
    args.options = options;
    args.ignoreUnrecognized = JNI_FALSE;
    jint rc = create(vm, (void **)env, &args);
    if (rc != JNI_OK)
    {
        report("the JVM did not start (JNI error %d); check JDEMI_JVM_OPTS", (int)rc);
        return EIO;
    }
    return 0;
}

static int describe_exception(JNIEnv *env, const char *what)
{
    if ((*env)->ExceptionCheck(env))
    {
        report("%s failed:", what);
        (*env)->ExceptionDescribe(env);
        (*env)->ExceptionClear(env);
        return 1;
    }
    return 0;
}

/* Class.forName(ABI_CLASS, true, loader), or NULL (exception cleared). */
static jclass for_name(JNIEnv *env, jobject loader)
{
    jclass class_class = (*env)->FindClass(env, "java/lang/Class");
    jmethodID for_name =
        (*env)->GetStaticMethodID(env, class_class, "forName",
                                  "(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;");
    jstring name = (*env)->NewStringUTF(env, ABI_CLASS_DOTS);
    if (name == NULL)
    {
        (*env)->ExceptionClear(env);
        return NULL;
    }
    jclass cls = (jclass)(*env)->CallStaticObjectMethod(env, class_class, for_name, name, JNI_TRUE, loader);
    if ((*env)->ExceptionCheck(env))
    {
        (*env)->ExceptionClear(env);
        return NULL;
    }
    return cls;
}

/* A URLClassLoader over the class path, child of the system class loader, or NULL. */
static jobject jar_loader(JNIEnv *env, const char *cp)
{
    jclass file_class = (*env)->FindClass(env, "java/io/File");
    jclass uri_class = (*env)->FindClass(env, "java/net/URI");
    jclass url_class = (*env)->FindClass(env, "java/net/URL");
    jclass loader_class = (*env)->FindClass(env, "java/lang/ClassLoader");
    jclass url_loader_class = (*env)->FindClass(env, "java/net/URLClassLoader");
    if (describe_exception(env, "looking up java.net.URLClassLoader"))
    {
        return NULL;
    }
    jmethodID file_init = (*env)->GetMethodID(env, file_class, "<init>", "(Ljava/lang/String;)V");
    jmethodID to_uri = (*env)->GetMethodID(env, file_class, "toURI", "()Ljava/net/URI;");
    jmethodID to_url = (*env)->GetMethodID(env, uri_class, "toURL", "()Ljava/net/URL;");
    jmethodID system_loader =
        (*env)->GetStaticMethodID(env, loader_class, "getSystemClassLoader", "()Ljava/lang/ClassLoader;");
    jmethodID new_instance =
        (*env)->GetStaticMethodID(env, url_loader_class, "newInstance",
                                  "([Ljava/net/URL;Ljava/lang/ClassLoader;)Ljava/net/URLClassLoader;");
    if (describe_exception(env, "looking up java.net.URLClassLoader"))
    {
        return NULL;
    }
    char *copy = strdup(cp);
    if (copy == NULL)
    {
        return NULL;
    }
    jsize count = 1;
    for (const char *p = copy; *p != '\0'; p++)
    {
        count += *p == ':';
    }
    jobjectArray urls = (*env)->NewObjectArray(env, count, url_class, NULL);
    jsize n = 0;
    char *save = NULL;
    for (char *entry = strtok_r(copy, ":", &save); entry != NULL && urls != NULL; entry = strtok_r(NULL, ":", &save))
    {
        jstring path = (*env)->NewStringUTF(env, entry);
        jobject file = path == NULL ? NULL : (*env)->NewObject(env, file_class, file_init, path);
        jobject uri = file == NULL ? NULL : (*env)->CallObjectMethod(env, file, to_uri);
        jobject url = uri == NULL ? NULL : (*env)->CallObjectMethod(env, uri, to_url);
        if (describe_exception(env, "making a URL of the class path"))
        {
            free(copy);
            return NULL;
        }
        (*env)->SetObjectArrayElement(env, urls, n++, url);
    }
    free(copy);
    jobject parent = (*env)->CallStaticObjectMethod(env, loader_class, system_loader);
    jobject loader =
        urls == NULL ? NULL : (*env)->CallStaticObjectMethod(env, url_loader_class, new_instance, urls, parent);
    if (describe_exception(env, "making a class loader for jdemi's jars"))
    {
        return NULL;
    }
    return loader;
}

/*
 * Loads NativeAbi in a JVM that someone else started: through the thread's context class loader (a Java program
 * that has jdemi on its class path), else the system class loader, else a class loader over jdemi's jars.
 */
static jclass find_abi_class_in_existing_vm(JNIEnv *env)
{
    jclass thread_class = (*env)->FindClass(env, "java/lang/Thread");
    jmethodID current = (*env)->GetStaticMethodID(env, thread_class, "currentThread", "()Ljava/lang/Thread;");
    jmethodID context_loader =
        (*env)->GetMethodID(env, thread_class, "getContextClassLoader", "()Ljava/lang/ClassLoader;");
    jobject thread = (*env)->CallStaticObjectMethod(env, thread_class, current);
    jobject loader = thread == NULL ? NULL : (*env)->CallObjectMethod(env, thread, context_loader);
    if ((*env)->ExceptionCheck(env))
    {
        (*env)->ExceptionClear(env);
        loader = NULL;
    }
    jclass cls = loader == NULL ? NULL : for_name(env, loader);
    if (cls == NULL)
    {
        jclass loader_class = (*env)->FindClass(env, "java/lang/ClassLoader");
        jmethodID system_loader =
            (*env)->GetStaticMethodID(env, loader_class, "getSystemClassLoader", "()Ljava/lang/ClassLoader;");
        jobject system = (*env)->CallStaticObjectMethod(env, loader_class, system_loader);
        cls = system == NULL ? NULL : for_name(env, system);
    }
    if (cls == NULL)
    {
        char *cp = class_path();
        jobject jars = cp == NULL ? NULL : jar_loader(env, cp);
        free(cp);
        cls = jars == NULL ? NULL : for_name(env, jars);
    }
    if (cls == NULL)
    {
        report("the running JVM cannot load %s; put jdemi-native's jar on its class path or set JDEMI_CLASSPATH",
               ABI_CLASS_DOTS);
    }
    return cls;
}

static int install(JNIEnv *env, jclass cls, struct jdemi_entries *entries)
{
    jmethodID method = (*env)->GetStaticMethodID(env, cls, "install", "(JII)I");
    if (method == NULL)
    {
        describe_exception(env, "looking up NativeAbi.install");
        return EIO;
    }
    jint rc = (*env)->CallStaticIntMethod(env, cls, method, (jlong)(intptr_t)entries, (jint)JDEMI_ENTRY_COUNT,
                                          (jint)JDEMI_ABI_VERSION);
    if (describe_exception(env, "NativeAbi.install"))
    {
        return EIO;
    }
    return (int)rc;
}

static int boot(struct jdemi_entries *entries)
{
    JavaVM *vm = NULL;
    JNIEnv *env = NULL;
    jsize count = 0;
    int created = 0;
    int attached = 0;
    created_vms_fn created_vms = (created_vms_fn)dlsym(RTLD_DEFAULT, "JNI_GetCreatedJavaVMs");
    void *libjvm = NULL;
    if (created_vms == NULL)
    {
        char path[PATH_MAX];
        if (find_libjvm(path, sizeof(path)) != 0)
        {
            return EIO;
        }
        libjvm = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
        if (libjvm == NULL)
        {
            report("cannot load %s: %s", path, dlerror());
            return EIO;
        }
        created_vms = (created_vms_fn)dlsym(libjvm, "JNI_GetCreatedJavaVMs");
    }
    if (created_vms != NULL && created_vms(&vm, 1, &count) == JNI_OK && count > 0)
    {
        jint rc = (*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_10);
        if (rc == JNI_EDETACHED)
        {
            rc = (*vm)->AttachCurrentThreadAsDaemon(vm, (void **)&env, NULL);
            attached = rc == JNI_OK;
        }
        if (rc != JNI_OK)
        {
            report("cannot attach this thread to the running JVM (JNI error %d)", (int)rc);
            return EIO;
        }
    }
    else
    {
        char *cp = class_path();
        if (cp == NULL)
        {
            return EIO;
        }
        int rc = create_vm(libjvm, cp, &vm, &env);
        free(cp);
        if (rc != 0)
        {
            return rc;
        }
        created = 1;
    }
    int rc = EIO;
    if ((*env)->PushLocalFrame(env, 64) == 0)
    {
        jclass cls = NULL;
        if (created)
        {
            cls = (*env)->FindClass(env, ABI_CLASS);
            if (cls == NULL)
            {
                describe_exception(env, "loading " ABI_CLASS_DOTS " (is jdemi-native's jar on the class path?)");
            }
        }
        else
        {
            cls = find_abi_class_in_existing_vm(env);
        }
        rc = cls == NULL ? EIO : install(env, cls, entries);
        (*env)->PopLocalFrame(env, NULL);
    }
    /*
     * From now on the thread enters Java through the upcall stubs, which attach it when needed and detach it when
     * it ends; a JNI attachment of ours would outlive the thread.
     */
    if (created || attached)
    {
        (*vm)->DetachCurrentThread(vm);
    }
    return rc;
}

int jdemi_boot(struct jdemi_entries *entries)
{
    int rc = 0;
    pthread_mutex_lock(&boot_lock);
    if (!booted)
    {
        rc = boot(entries);
        booted = rc == 0;
    }
    pthread_mutex_unlock(&boot_lock);
    return rc;
}
