# opshub: multi-stage build (Maven, then a JRE 25 with an AOT cache), runs as a non-root user.
#   docker build -t opshub .
#   docker run -p 9000:9000 -v $PWD/application.properties:/opt/opshub/application.properties:ro \
#              -v $PWD/routes:/opt/opshub/routes -v opshub-data:/opt/opshub/data opshub
# The base images are build arguments, pinned to exact versions by default (bump them on purpose; add
# @sha256 digests where your registry can resolve them). Where Docker Hub cannot be reached, point them
# at equivalent images (scripts/container-bases.sh builds both from Debian packages), e.g.
#   podman build --build-arg BUILD_IMAGE=localhost/opshub-build-base --build-arg RUNTIME_IMAGE=... .
# BUILD_IMAGE needs Maven and a JDK 17 or later; RUNTIME_IMAGE a Debian or Ubuntu userland with a
# JRE (JDK 25 or later for the AOT cache; an older one runs the hub on a plain JVM).
ARG BUILD_IMAGE=maven:3.9.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:25.0.3_9-jre-noble

FROM ${BUILD_IMAGE} AS build
# more Maven flags: "-o" builds offline against a local repository mounted at /root/.m2
ARG MAVEN_FLAGS=
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q ${MAVEN_FLAGS} dependency:go-offline
COPY src src
COPY application.properties .
RUN mvn -B -q ${MAVEN_FLAGS} package -Dmaven.test.skip=true

FROM ${RUNTIME_IMAGE}
# curl for the health check; useradd (passwd) for the user; installed only where the base lacks them
RUN if ! command -v curl >/dev/null || ! command -v useradd >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends curl passwd && rm -rf /var/lib/apt/lists/*; \
    fi \
 && useradd --system --uid 10001 --user-group --home-dir /opt/opshub --shell /usr/sbin/nologin opshub
WORKDIR /opt/opshub
COPY --from=build /src/target/opshub.jar opshub.jar
COPY application.properties application.properties
COPY routes routes
COPY templates templates
COPY scripts/aot-train.sh /usr/local/bin/opshub-aot-train
# The AOT cache (JEP 483/514), trained once here on the image's own jar and configuration: the hub is
# started, answers health and a scrape, and stops. A JRE older than 25 skips it (plain JVM); the
# entrypoint's -XX:AOTCache is then ignored, as it is by a JDK 25 whose cache does not match the jar.
RUN opshub-aot-train opshub.jar opshub.aot \
 && mkdir -p data && chown opshub:opshub data && chmod 0750 data
USER opshub
EXPOSE 9000
# application.properties, routes/ and templates/ are mountable (routes/ hot-reloads); data/ holds the H2
# state store. From outside the container clients are not loopback: /pacs/missing, /checks and /alerts
# need opshub.web-config-file users (and alertmanager.bearer-token); /metrics and health stay open
# unless the web config lists users (then give the health check credentials, or drop it).
VOLUME ["/opt/opshub/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${CAMEL_SERVER_PORT:-9000}/observe/health" || exit 1
ENTRYPOINT ["java", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:AOTCache=opshub.aot", "-XX:MaxRAMPercentage=75", \
            "-jar", "opshub.jar"]
