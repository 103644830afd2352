# opshub: multi-stage build (Maven, then a slim JRE), runs as a non-root user.
#   docker build -t opshub .
#   docker run -p 9000:9000 -v $PWD/application.properties:/opt/opshub/application.properties:ro \
#              -v $PWD/routes:/opt/opshub/routes -v $PWD/templates:/opt/opshub/templates opshub
# base images pinned to exact versions (bump both on purpose; add @sha256 digests where your registry
# mirror can resolve them)
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY application.properties .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17.0.15_6-jre-jammy
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /opt/opshub --shell /usr/sbin/nologin opshub
WORKDIR /opt/opshub
COPY --from=build /src/target/opshub.jar opshub.jar
COPY application.properties application.properties
COPY routes routes
COPY templates templates
RUN mkdir -p data && chown -R opshub:opshub data
USER opshub
EXPOSE 9000
# application.properties, routes/ and templates/ are mountable; data/ holds the H2 state store.
# From outside the container clients are not loopback: /pacs/missing, /checks and /alerts need
# opshub.web-config-file users (and alertmanager.bearer-token); /metrics and health stay open
# unless the web config lists users (then give the health check credentials, or drop it).
VOLUME ["/opt/opshub/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9000/observe/health || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "opshub.jar"]
