# Sourced by ./airlock, ./mvnw and .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME, the `java` on PATH, then the newest JDK under /usr/lib/jvm (or /Library/Java on macOS).
# Prints one sentence and exits when none is found.

_airlock_java_major() { # $1 = path to a java binary; prints its major version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

_airlock_find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(_airlock_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null; then echo "$JAVA_HOME"; return 0; fi
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(readlink -f "$(command -v java)")
    major=$(_airlock_java_major "$candidate")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null; then dirname "$(dirname "$candidate")"; return 0; fi
  fi
  for candidate in /usr/lib/jvm/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
    [ -x "$candidate" ] || continue
    major=$(_airlock_java_major "$candidate")
    if [ "${major:-0}" -ge 21 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
      best_major=$major; best=$(dirname "$(dirname "$candidate")")
    fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}

if _airlock_jdk=$(_airlock_find_jdk); then
  export JAVA_HOME="$_airlock_jdk"
  export PATH="$JAVA_HOME/bin:$PATH"
else
  echo "Airlock needs a JDK 21 or newer: none found in JAVA_HOME, on PATH or under /usr/lib/jvm; install one (for example apt-get install openjdk-21-jdk) or set JAVA_HOME to it." >&2
  exit 1
fi
unset _airlock_jdk
