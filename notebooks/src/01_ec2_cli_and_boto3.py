# %% [markdown] lang="en"
# # 01 · EC2 with the AWS CLI and boto3
#
# The first tutorial creates a key pair, launches an EC2 instance, lists instances with a filter and a
# query, logs in with `ssh -i`, and deletes the instance, all with the `aws` command. Here every step runs
# twice: as the tutorial's `aws` command and as the boto3 call a Python program would make. Both talk to
# an EC2 endpoint embedded in the kit, on `127.0.0.1`: no AWS account, no cost, nothing sent to AWS.
#
# ## Objectives
#
# After this notebook you can
#
# - set up the AWS CLI (`aws configure`) and say which files it writes;
# - create a key pair and keep its private key safe (`chmod 400`);
# - launch, list, reach and terminate an instance, with the `aws` CLI and with boto3;
# - read and write the tutorial's `--filters` and `--query` (a JMESPath expression);
# - clean up everything you created, and check that nothing is left.

# %% [markdown] lang="ko"
# # 01 · AWS CLI와 boto3로 EC2 다루기
#
# 첫 번째 튜토리얼은 `aws` 명령만으로 키 페어를 만들고, EC2 인스턴스를 띄우고, 필터와 쿼리로 인스턴스
# 목록을 보고, `ssh -i`로 접속한 뒤, 인스턴스를 지웁니다. 이 노트북에서는 각 단계를 두 번 실행합니다.
# 한 번은 튜토리얼의 `aws` 명령으로, 또 한 번은 Python 프로그램이 부르는 boto3 호출로 실행합니다. 둘 다 키트에 내장된
# `127.0.0.1`의 EC2 엔드포인트에 요청을 보내므로 AWS 계정도 비용도 필요 없고, AWS로는 아무것도 가지
# 않습니다.
#
# ## 학습 목표
#
# 이 노트북을 마치면 다음을 할 수 있습니다.
#
# - AWS CLI를 설정하고(`aws configure`) 어떤 파일이 만들어지는지 말할 수 있습니다.
# - 키 페어를 만들고 개인 키를 안전하게 보관할 수 있습니다(`chmod 400`).
# - 인스턴스를 띄우고, 목록을 보고, 접속하고, 종료하는 일을 `aws` CLI와 boto3로 할 수 있습니다.
# - 튜토리얼의 `--filters`와 `--query`(JMESPath 식)를 읽고 직접 쓸 수 있습니다.
# - 만든 것을 모두 정리하고, 남은 것이 없는지 확인할 수 있습니다.

# %%
from bondkit import ec2
from bondkit.ec2 import emulator
from bondkit import notebook as nb
from bondkit.ec2.twin import run_line

nb.setup()

# %% [markdown] lang="en"
# ## 1. The embedded EC2 endpoint
#
# `emulator.Emulator()` starts an EC2 API server (moto) inside this notebook, on `127.0.0.1` and a free
# port. A `Target` says where the calls go; it refuses any endpoint that is not on this machine, so a call
# cannot reach AWS by mistake. The files this notebook makes (the AWS configuration, the private key) go
# to a private work folder that the last cell removes.

# %% [markdown] lang="ko"
# ## 1. 내장 EC2 엔드포인트
#
# `emulator.Emulator()`는 이 노트북 안에서 EC2 API 서버(moto)를 `127.0.0.1`의 빈 포트에 띄웁니다.
# `Target`은 요청을 어디로 보낼지 정하는데, 이 머신 밖의 엔드포인트는 거부하므로 실수로 AWS에 요청이
# 가는 일은 없습니다. 이 노트북이 만드는 파일(AWS 설정, 개인 키)은 이 노트북만 쓰는 임시 폴더에 두며, 마지막 셀이
# 그 폴더를 지웁니다.

# %%
work = nb.workdir()
emu = emulator.Emulator().start()
target = ec2.Target.emulator(emu.url, aws_dir=work / "aws")
target.where

# %% [markdown] lang="en"
# Want to type the tutorial's commands in a terminal instead? Paste these lines into a shell first; they
# point the real `aws` command at the same endpoint with throw-away credentials. (From a terminal alone,
# run `bondkit ec2 emulator start`, then `eval "$(bondkit ec2 emulator env)"`: the same, with an emulator
# that runs in the background until `bondkit ec2 emulator stop`.)

# %% [markdown] lang="ko"
# 튜토리얼의 명령을 터미널에서 직접 입력해 보고 싶다면, 먼저 아래 줄들을 셸에 붙여 넣으세요. 진짜 `aws`
# 명령이 일회용 자격 증명으로 같은 엔드포인트에 요청하게 됩니다. (터미널만 쓸 때는 `bondkit ec2 emulator
# start`로 에뮬레이터를 백그라운드에 띄운 뒤 `eval "$(bondkit ec2 emulator env)"`를 실행하면 같은 일을 할
# 수 있습니다. 다 쓰면 `bondkit ec2 emulator stop`으로 멈추세요.)

# %%
print(emulator.env_lines(emu.env(work / "aws")))

# %% [markdown] lang="en"
# ## 2. `aws configure`
#
# The tutorial answers four prompts: access key, secret key, region `ap-northeast-2` (Seoul) and output
# format `json`. The CLI stores the keys in `credentials` and the rest in `config`. Each step below shows
# the `aws` command, the boto3 equivalent, the result, and a *check*: a read-only query run by both tools,
# whose answers must agree.
#
# Which `aws`? The kit installs the AWS CLI version 1 (the `awscli` package from PyPI; notebook `00`'s
# environment check lists its version); AWS's own installer gives version 2. Every command of this
# notebook is the same in both. Two differences you may meet with version 2: it shows long output
# through a pager (`--no-cli-pager` or `AWS_PAGER=""` turns that off), and it reads binary parameters as
# base64 (AWS CLI User Guide, *Breaking changes between AWS CLI version 1 and version 2*).

# %% [markdown] lang="ko"
# ## 2. `aws configure`
#
# 튜토리얼은 네 가지 질문에 답합니다. 액세스 키, 비밀 키, 리전 `ap-northeast-2`(서울), 출력 형식
# `json`입니다. CLI는 키를 `credentials`에, 나머지를 `config`에 저장합니다. 아래의 각 단계는 `aws`
# 명령, 같은 일을 하는 boto3 호출, 결과, 그리고 *확인*을 보여 줍니다. 확인은 두 도구가 같은 읽기 전용
# 조회를 두 도구로 각각 실행한 결과이며, 두 답이 같아야 합니다.
#
# 어떤 `aws`일까요? 키트는 AWS CLI 버전 1(PyPI의 `awscli` 패키지. 버전은 `00` 노트북의 환경 점검에
# 나옵니다)을 설치합니다. AWS가 직접 배포하는 설치 프로그램은 버전 2를 설치합니다. 이 노트북의 명령은 두
# 버전에서 모두 같습니다. 버전 2에서 만날 수 있는 차이는 두 가지입니다. 긴 출력을 페이저로 보여 주고
# (`--no-cli-pager`나 `AWS_PAGER=""`로 끕니다), 바이너리 매개변수를 base64로 읽습니다(AWS CLI 사용 설명서의
# *AWS CLI 버전 1과 버전 2 사이의 주요 변경 사항*).

# %%
nb.show_step(ec2.configure(target), target)

# %% [markdown] lang="en"
# ## 3. A key pair
#
# EC2 keeps the public key; you get the private key once, and only once. The tutorial saves it with a
# shell redirection (`> TestKeyPair.pem`) and later runs `chmod 400`; bondkit creates the file with mode
# 0400 from the start, so it is never readable by others, not even for a moment.

# %% [markdown] lang="ko"
# ## 3. 키 페어
#
# EC2는 공개 키를 보관하고, 개인 키는 딱 한 번만 내려 줍니다. 튜토리얼은 셸 리디렉션
# (`> TestKeyPair.pem`)으로 저장한 뒤 나중에 `chmod 400`을 실행합니다. bondkit은 처음부터 0400 권한으로
# 파일을 만들기 때문에, 한순간도 다른 사용자가 읽을 수 없습니다.

# %%
key_step = nb.show_step(ec2.create_key_pair(target, key_dir=work), target)
key = key_step.step.result
key_step

# %%
nb.ask("01_chmod", answer=2)

# %% [markdown] lang="en"
# ## 4. A security group
#
# The tutorial assumes a security group that allows SSH in. The kit makes its own, `bondkit-ssh`, and
# opens port 22 to your address only (a `/32`), never to the whole internet. On the emulator your
# address is `127.0.0.1`.

# %% [markdown] lang="ko"
# ## 4. 보안 그룹
#
# 튜토리얼은 SSH 접속을 허용하는 보안 그룹이 이미 있다고 가정합니다. 키트는 `bondkit-ssh`라는 보안 그룹을
# 직접 만들고, 22번 포트를 인터넷 전체가 아니라 내 주소 하나(`/32`)에만 엽니다. 에뮬레이터에서 내 주소는
# `127.0.0.1`입니다.

# %%
group_step = nb.show_step(ec2.ensure_security_group(target), target)
group = group_step.step.result
group_step

# %% [markdown] lang="en"
# ## 5. The image and the instance
#
# The tutorial launches `ami-082bdb3b2d54d5a19`, an Ubuntu 16.04 image. The emulator knows that id (as a
# stand-in); on real AWS such an old id is long gone, and `ec2.find_ubuntu_image` finds a current Ubuntu
# image by filter instead of a hard-coded id.

# %% [markdown] lang="ko"
# ## 5. 이미지와 인스턴스
#
# 튜토리얼은 Ubuntu 16.04 이미지인 `ami-082bdb3b2d54d5a19`로 인스턴스를 띄웁니다. 에뮬레이터는 이 id를
# (그 이미지를 흉내 낸 것으로) 알고 있지만, 실제 AWS에서 이렇게 오래된 id는 이미 사라졌습니다. 그럴 때
# `ec2.find_ubuntu_image`는 id를 코드에 고정해 두지 않고 필터로 최신 Ubuntu 이미지를 찾습니다.

# %%
nb.show_step(ec2.find_image(target), target)

# %% [markdown] lang="en"
# Now `run-instances`: one `t2.micro`, with the key pair and the security group. Everything the kit
# creates carries a tag whose key starts with `bondkit`, so that cleanup can find exactly that and
# nothing else.

# %% [markdown] lang="ko"
# 이제 `run-instances`입니다. `t2.micro` 하나를 키 페어, 보안 그룹과 함께 띄웁니다. 키트가 만드는 모든
# 것에는 키가 `bondkit`으로 시작하는 태그가 붙습니다. 그래야 정리할 때 정확히 그것만 찾아서 지울 수
# 있습니다.

# %%
launch = nb.show_step(ec2.run_instances(target, security_group_ids=[group.group_id]), target)
instance_ids = [instance.instance_id for instance in launch.step.result]
launch

# %%
nb.ask("01_public_ip", answer=3)

# %% [markdown] lang="en"
# ## 6. Listing instances: `--filters` and `--query`
#
# The tutorial lists the `t2.micro` instances and shows only their ids:
#
# - `--filters "Name=instance-type,Values=t2.micro"` is applied by EC2, on the server side;
# - `--query "Reservations[].Instances[].InstanceId"` is a JMESPath expression the CLI applies to the
#   answer, on your side. EC2 answers with *reservations* (one per `run-instances` call), each holding
#   its *instances*; `[]` flattens the lists.
#
# Here is the tutorial's line, run verbatim by the real `aws` command:

# %% [markdown] lang="ko"
# ## 6. 인스턴스 목록: `--filters`와 `--query`
#
# 튜토리얼은 `t2.micro` 인스턴스를 골라 id만 보여 줍니다.
#
# - `--filters "Name=instance-type,Values=t2.micro"`는 EC2가 서버 쪽에서 적용합니다.
# - `--query "Reservations[].Instances[].InstanceId"`는 CLI가 받은 응답에 내 쪽에서 적용하는 JMESPath
#   식입니다. EC2는 *예약*(reservation, `run-instances` 호출마다 하나)을 돌려주고, 예약마다 그 안에
#   *인스턴스*들이 들어 있습니다. `[]`는 목록을 한 겹으로 펼칩니다.
#
# 튜토리얼의 명령을 진짜 `aws` 명령으로 그대로 실행하면 이렇습니다.

# %%
tutorial_line = ('aws ec2 describe-instances --filters "Name=instance-type,Values=t2.micro" '
                 '--query "Reservations[].Instances[].InstanceId"')
print(run_line(target, tutorial_line).stdout)

# %% [markdown] lang="en"
# The kit's `describe_instances` does the same with boto3 and the same JMESPath library the CLI uses. It
# also adds a state filter (`pending`, `running`), because EC2 keeps listing terminated instances for a
# while. A query can build new objects too; try changing it:

# %% [markdown] lang="ko"
# 키트의 `describe_instances`는 같은 일을 boto3와, CLI가 쓰는 것과 같은 JMESPath 라이브러리로 합니다.
# 여기에 상태 필터(`pending`, `running`)를 하나 더 붙이는데, EC2가 종료된 인스턴스도 한동안 목록에 남겨
# 두기 때문입니다. 쿼리로 새 객체를 만들 수도 있습니다. 직접 바꿔 보세요.

# %%
query = "Reservations[].Instances[].{id: InstanceId, type: InstanceType, key: KeyName, image: ImageId}"
nb.show_step(ec2.describe_instances(target, query=query), target)

# %% [markdown] lang="en"
# ## 7. Waiting, then SSH with the key
#
# `aws ec2 wait instance-running` polls until the instance runs (on AWS, a minute or so; the emulator
# answers at once).

# %% [markdown] lang="ko"
# ## 7. 기다렸다가 키로 SSH 접속
#
# `aws ec2 wait instance-running`은 인스턴스가 실행될 때까지 되풀이해 물어봅니다(AWS에서는 1분쯤 걸리고,
# 에뮬레이터는 바로 답합니다).

# %%
nb.show_step(ec2.wait_running(target, instance_ids), target)

# %% [markdown] lang="en"
# The emulator's instance has only a made-up public address. To log in for real, a host of the embedded
# lab stands for the instance: the kit installs the key pair's public key on it, and your `.pem` logs in
# over `127.0.0.1`, with the host's key checked against the one the lab pinned. The next cell starts the
# lab (a few seconds) or, where it cannot run, says so; the SSH step is then skipped. Their output
# depends on the machine, so nbval does not compare it.
#
# The user name in `ubuntu@…` comes from the AMI, not from EC2: `ubuntu` on Ubuntu's images, `ec2-user`
# on Amazon Linux and RHEL, `admin` on Debian, `centos` on the old CentOS images (AWS documentation,
# *Connect to your Linux instance*, default user names). A wrong name gives
# `Permission denied (publickey)`, just as a wrong key does.

# %% [markdown] lang="ko"
# 에뮬레이터의 인스턴스에는 지어낸 공인 주소만 있습니다. 그래서 실제로 로그인할 수 있도록 내장 실습
# 환경의 호스트 하나가 인스턴스 역할을 맡습니다. 키트가 그 호스트에 키 페어의 공개 키를 넣어 두면, 내
# `.pem` 파일로 `127.0.0.1`을 거쳐 로그인하게 됩니다. 이때 호스트 키는 실습 환경이 미리 고정해 둔 키와
# 대조합니다. 다음 셀은 실습 환경을 띄우고(몇 초 걸립니다), 띄울 수 없는 머신에서는 그렇다고 알린 뒤 SSH
# 단계를 건너뜁니다. 이 두 셀의 출력은 머신마다 달라서 nbval이 비교하지 않습니다.
#
# `ubuntu@…`의 사용자 이름은 EC2가 아니라 AMI가 정합니다. Ubuntu 이미지는 `ubuntu`, Amazon Linux와 RHEL은
# `ec2-user`, Debian은 `admin`, 예전 CentOS 이미지는 `centos`입니다(AWS 문서 *Linux 인스턴스에 연결*의 기본
# 사용자 이름). 이름이 틀리면 키가 틀렸을 때처럼 `Permission denied (publickey)`가 나옵니다.

# %%
# NBVAL_IGNORE_OUTPUT
lab = nb.open_lab()
lab

# %%
# NBVAL_IGNORE_OUTPUT
nb.show_step(ec2.ssh_to_instance(target, instance_ids[0], key.path, lab=lab.lab))

# %% [markdown] lang="en"
# ## 8. Terminate, and what stays listed
#
# `terminate-instances` answers with each instance's previous and current state.

# %% [markdown] lang="ko"
# ## 8. 종료, 그리고 목록에 남는 것
#
# `terminate-instances`는 인스턴스마다 이전 상태와 현재 상태를 알려 줍니다.

# %%
nb.show_step(ec2.terminate_instances(target, instance_ids, lab=lab.lab), target)

# %%
states = ec2.describe_instances(target, query="Reservations[].Instances[].State.Name", live_only=False)
nb.ask("01_terminated_listed", answer=1, evidence=states.result)

# %% [markdown] lang="en"
# ## 9. Clean up, and check
#
# `ec2.cleanup` deletes what carries the kit's tag (instances, the security group, the key pair) and the
# `.pem` file; `ec2.remaining` then looks for anything left. On real AWS this is the step that keeps the
# bill at zero.

# %% [markdown] lang="ko"
# ## 9. 정리하고 확인하기
#
# `ec2.cleanup`은 키트의 태그가 붙은 것(인스턴스, 보안 그룹, 키 페어)과 `.pem` 파일을 지우고,
# `ec2.remaining`은 남은 것이 있는지 찾아봅니다. 실제 AWS에서는 이 정리 단계를 해야 요금이 더 나오지 않습니다.

# %%
nb.show_step(ec2.cleanup(target, lab=lab.lab, pem_files=[key.path]), target)

# %%
ec2.remaining(target)

# %% [markdown] lang="en"
# ## Exercises
#
# Both exercises run the real `aws` command against the embedded endpoint. First, three instances to
# list: two `t2.micro` and one `t3.micro`, launched with the tutorial's own command. Change the marked
# line of each exercise cell, run it again, and compare with what you predicted. The solutions are in
# `notebooks/teachers/solutions.en.md`.
#
# > **Type it yourself.** The same lines work in a terminal once it points at the endpoint (the `export`
# > lines printed in section 1), for example
# > `aws ec2 describe-instances --query "Reservations[].Instances[].State.Name"`.

# %% [markdown] lang="ko"
# ## 연습 문제
#
# 두 연습 문제 모두 진짜 `aws` 명령으로 내장 엔드포인트에 요청합니다. 먼저 목록에 나올 인스턴스 세 개를
# 튜토리얼의 명령 그대로 띄웁니다. `t2.micro` 두 개와 `t3.micro` 하나입니다. 연습 문제 셀마다 표시된 줄을
# 바꾸고 다시 실행한 뒤, 예측과 비교해 보세요. 풀이는 `notebooks/teachers/solutions.ko.md`에 있습니다.
#
# > **직접 입력해 보기.** 터미널이 엔드포인트를 가리키게 해 두면(1절에서 출력한 `export` 줄) 같은 명령을
# > 터미널에서도 쓸 수 있습니다. 예: `aws ec2 describe-instances --query "Reservations[].Instances[].State.Name"`

# %%
for instance_type, count in (("t2.micro", 2), ("t3.micro", 1)):
    launched = run_line(target, "aws ec2 run-instances --image-id ami-082bdb3b2d54d5a19 "
                                f"--count {count} --instance-type {instance_type}")
    print(instance_type, count, "exit status", launched.status)

# %% [markdown] lang="en"
# ### Exercise 1 · A filter of your own
#
# `--filters` is applied by EC2 before it answers. List the *types* of the instances with the `t3.micro`
# type only. Before you change the filter, run the cell as it is: why does it list three `t2.micro`
# when only two were launched above?

# %% [markdown] lang="ko"
# ### 연습 문제 1 · 직접 만드는 필터
#
# `--filters`는 EC2가 답하기 전에 적용합니다. 유형이 `t3.micro`인 인스턴스만 골라 그 *유형*을 보여 주세요.
# 필터를 바꾸기 전에 셀을 그대로 먼저 실행해 보세요. 위에서 두 개만 띄웠는데 왜 `t2.micro`가 세 개
# 나올까요?

# %%
my_filters = '"Name=instance-type,Values=t2.micro"'  # change this line
print(run_line(target, f"aws ec2 describe-instances --filters {my_filters} "
                       '--query "Reservations[].Instances[].InstanceType"').stdout)

# %% [markdown] lang="en"
# ### Exercise 2 · A query of your own
#
# `--query` is a JMESPath expression the CLI applies to EC2's answer, on your side. Write one that shows,
# for the running `t2.micro` instances only, an object `{type, state}` per instance, without any
# `--filters`. (JMESPath filters a list with `[?expression]`, compares with `==` and writes a string
# literal in single quotes: `'running'`.)

# %% [markdown] lang="ko"
# ### 연습 문제 2 · 직접 만드는 쿼리
#
# `--query`는 CLI가 EC2의 응답에 내 쪽에서 적용하는 JMESPath 식입니다. `--filters` 없이, 실행 중인
# `t2.micro` 인스턴스만 골라 인스턴스마다 `{type, state}` 객체를 보여 주는 쿼리를 쓰세요. (JMESPath에서는
# 목록을 `[?식]`으로 거르고, `==`로 비교하고, 문자열은 작은따옴표로 씁니다: `'running'`.)

# %%
my_query = "Reservations[].Instances[].State.Name"  # change this line
print(run_line(target, f'aws ec2 describe-instances --query "{my_query}"').stdout)

# %% [markdown] lang="en"
# **Challenge.** Do exercise 2 with boto3 alone: `ec2.describe_instances(target, query=...)` takes the same
# JMESPath. Which of the two ways, `--filters` or `--query`, makes EC2 send less data back, and why
# does that matter with thousands of instances?
#
# The exercise's instances are terminated by the next cell; the emulator is stopped at the end anyway.

# %% [markdown] lang="ko"
# **도전 과제.** 연습 문제 2를 boto3만으로 해 보세요. `ec2.describe_instances(target, query=...)`도 같은
# JMESPath를 받습니다. `--filters`와 `--query` 가운데 어느 쪽이 EC2가 돌려보내는 데이터를 줄일까요? 인스턴스가
# 수천 개라면 그것이 왜 중요할까요?
#
# 연습 문제에서 띄운 인스턴스는 다음 셀이 종료합니다. 에뮬레이터는 어차피 마지막에 멈춥니다.

# %%
everything = run_line(target, 'aws ec2 describe-instances --query "Reservations[].Instances[].InstanceId" '
                              "--output text").stdout.split()
print("exit status", run_line(target, "aws ec2 terminate-instances --instance-ids " + " ".join(everything)).status)

# %% [markdown] lang="en"
# ## On real AWS
#
# The same steps run against a real account with `bondkit ec2 walkthrough --real` (or
# `ec2.Target.aws(region, confirm=...)` in Python). The kit then asks for confirmation, makes a `DryRun`
# call first, allows only the smallest instance types, opens SSH to your own address only, and cleans up
# even when a step fails. It still costs a little money, and it needs your credentials: never paste them
# into a notebook.
#
# ## Finish
#
# The last cell stops the emulator and the lab (if this notebook started it) and removes the work folder.

# %% [markdown] lang="ko"
# ## 실제 AWS에서
#
# 같은 단계를 `bondkit ec2 walkthrough --real`로(Python에서는 `ec2.Target.aws(region, confirm=...)`로)
# 실제 계정에서 실행할 수 있습니다. 이때 키트는 확인을 받고, 먼저 `DryRun` 호출로 권한을 점검하고, 가장
# 작은 인스턴스 유형만 허용하고, SSH는 내 주소에만 열고, 중간에 단계가 실패해도 정리를 마칩니다. 그래도
# 약간의 비용이 들고 내 자격 증명이 필요합니다. 자격 증명을 노트북에 붙여 넣는 일은 절대 하지 마세요.
#
# ## 마무리
#
# 마지막 셀은 에뮬레이터와 (이 노트북이 띄웠다면) 실습 환경을 멈추고 작업 폴더를 지웁니다.

# %%
emu.stop()
print(nb.finish(lab))
